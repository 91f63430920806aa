#!/usr/bin/env bash
# Nightly job: sweep every variant one at a time (tag `nightly`) into the results database, then
# gate the run against the baseline `main`. Exit code: the gate's (0 pass, 1 regression,
# 2 error, 3 not comparable). Promote a good night with:
#   swapbench baseline promote main --run latest --db "$DB"
# Environment: MODEL (GGUF, default: a generated smollm2-135m q4_1), DB (default swapbench.db),
# THRESHOLDS (default ci/thresholds.example.json), WORKLOADS (default tg128,tg128@ctx4096),
# SWAPBENCH (the binary, default build/default/swapbench).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
B="${SWAPBENCH:-$root/build/default/swapbench}"
DB="${DB:-swapbench.db}"
THRESHOLDS="${THRESHOLDS:-$root/ci/thresholds.example.json}"
if [ -z "${MODEL:-}" ]; then
  MODEL="${TMPDIR:-/tmp}/swapbench-smollm2-q4_1.gguf"
  [ -f "$MODEL" ] || "$B" gen-model --shape smollm2-135m --quant q4_1 --seed 1 -o "$MODEL"
fi
"$B" sweep --model "$MODEL" --db "$DB" --tag nightly --planner one-at-a-time \
  --workloads "${WORKLOADS:-tg128,tg128@ctx4096}" --graphs on,off || true  # failures are gated below
if ! "$B" baseline show main --db "$DB" >/dev/null 2>&1; then
  echo "nightly: no baseline 'main' yet; promoting this run"
  "$B" baseline promote main --run latest --db "$DB" --note "first nightly"
  exit 0
fi
"$B" gate --baseline main --run latest --db "$DB" --thresholds "$THRESHOLDS" \
  --markdown "${SUMMARY:-gate-summary.md}"
