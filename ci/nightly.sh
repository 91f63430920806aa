#!/usr/bin/env bash
# Nightly job: sweep every variant one at a time (tag `nightly`) into the results database, then
# gate that run against the baseline `main`. Exit code: the gate's (0 pass, 1 regression,
# 2 error, 3 not comparable); 2 as well when the sweep made no run (a bad option or model, an
# unreadable database): the gate never judges an older run in its place. Promote a good night:
#   swapbench baseline promote main --run <the run the nightly printed> --db "$DB"
# Environment: MODEL (GGUF, default: a generated smollm2-135m q4_1), DB (default swapbench.db),
# THRESHOLDS (default ci/thresholds.example.json), WORKLOADS (default tg128,tg128@ctx4096),
# SWAPBENCH (the binary, default build/default/swapbench), SUMMARY (default gate-summary.md).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
B="${SWAPBENCH:-$root/build/default/swapbench}"
DB="${DB:-swapbench.db}"
THRESHOLDS="${THRESHOLDS:-$root/ci/thresholds.example.json}"
if [ -z "${MODEL:-}" ]; then
  MODEL="${TMPDIR:-/tmp}/swapbench-smollm2-q4_1.gguf"
  [ -f "$MODEL" ] || "$B" gen-model --shape smollm2-135m --quant q4_1 --seed 1 -o "$MODEL"
fi
table="$(mktemp)"
trap 'rm -f "$table"' EXIT
# Failed trials (exit 1) are the gate's to judge; the sweep's last line names its run.
status=0
"$B" sweep --model "$MODEL" --db "$DB" --tag nightly --planner one-at-a-time \
  --workloads "${WORKLOADS:-tg128,tg128@ctx4096}" --graphs on,off | tee "$table" || status=$?
run="$(sed -n 's/^run \([0-9a-f-]\{36\}\) in .*/\1/p' "$table" | tail -n 1)"
if [ -z "$run" ]; then
  echo "nightly: the sweep made no run (exit $status); nothing to gate" >&2
  exit 2
fi
if ! "$B" baseline show main --db "$DB" >/dev/null 2>&1; then
  echo "nightly: no baseline 'main' yet; promoting run $run"
  "$B" baseline promote main --run "$run" --db "$DB" --note "first nightly"
  exit 0
fi
"$B" gate --baseline main --run "$run" --db "$DB" --thresholds "$THRESHOLDS" \
  --markdown "${SUMMARY:-gate-summary.md}"
