#!/usr/bin/env bash
# The main job, end to end on a fresh machine: install what is missing, build, fetch the real
# model, and decode text with it (on the GPU when there is one, else on the CPU).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash ci/setup-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default -j"$(nproc)" --target swapbench
bash ci/fetch-model.sh
./build/default/swapbench run --prompt "${PROMPT:-The capital of France is}" -n "${TOKENS:-24}" "$@"
