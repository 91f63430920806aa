#!/usr/bin/env bash
# The main job, end to end on a fresh machine: install what is missing, build, fetch the real
# model, decode text with it, sweep a few kernel variants through real decodes into the results
# database (swapbench.db), and write the HTML report (site/), printing the path of its
# index.html. On the GPU when there is one, else on the CPU.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash ci/setup-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default -j"$(nproc)" --target swapbench
bash ci/fetch-model.sh
B=./build/default/swapbench
$B run --prompt "${PROMPT:-The capital of France is}" -n "${TOKENS:-24}" "$@"
# Each variant of these slots against the reference plan, graphs on and off on the GPU; kept
# short (tg16, 2 s of timing per trial): about a minute on a 2-core CPU. Every run of the demo
# adds a run to swapbench.db, so the trend page grows.
echo "demo: sweeping ${SLOTS:=rmsnorm,swiglu} variants, ${WORKLOADS:=tg16}, into swapbench.db"
$B sweep --slots "$SLOTS" -w "$WORKLOADS" --max-seconds "${MAX_SECONDS:-2}" --tag demo \
  --db swapbench.db
echo "demo: the report (open this file in a browser):"
$B report --db swapbench.db -o site
