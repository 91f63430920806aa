#!/usr/bin/env bash
# Pull-request gate: build the head of the PR, sweep the plans in ci/pr-plans.txt (or the
# reference plan) tagged `pr`, and gate against the baseline `main`; writes a Markdown summary
# for the PR comment. Exit code: the gate's. (The paired A/B mode against a base build,
# `gate --paired`, is not implemented yet: see the open issue.)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
DB="${DB:-swapbench.db}"
cmake --preset default >/dev/null
cmake --build --preset default -j"$(nproc)" --target swapbench
B=build/default/swapbench
MODEL="${MODEL:-${TMPDIR:-/tmp}/swapbench-smollm2-q4_1.gguf}"
[ -f "$MODEL" ] || "$B" gen-model --shape smollm2-135m --quant q4_1 --seed 1 -o "$MODEL"
plans=(--planner one-at-a-time --slots rmsnorm)
[ -f ci/pr-plans.txt ] && plans=(--planner file --plans-file ci/pr-plans.txt)
"$B" sweep --model "$MODEL" --db "$DB" --tag pr "${plans[@]}" --workloads tg128 --graphs on,off || true
"$B" gate --baseline main --run latest --db "$DB" \
  --thresholds "${THRESHOLDS:-ci/thresholds.example.json}" --markdown "${SUMMARY:-pr-gate.md}"
