#!/usr/bin/env bash
# Pull-request gate, paired: build the base commit and the head, run them alternately
# (A B A B ...) on this machine through `swapbench gate --paired`, and write the Markdown
# summary for the PR comment. Exit code: the gate's (0 pass, 1 regression, 2 error,
# 3 not comparable).
# Environment: BASE_REF (default origin/<the PR's base branch on GitHub Actions, else main>),
# MODEL (default: generated smollm2-135m q4_1), ROUNDS (default 5),
# PLANS (a file of plans, default: the reference plan), WORKLOADS (default tg128),
# THRESHOLDS (default ci/thresholds.example.json), SUMMARY (default pr-gate.md).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
base_ref="${BASE_REF:-origin/${GITHUB_BASE_REF:-main}}"  # GitHub names the PR's base branch
base_dir="$(mktemp -d)/base"
trap 'git worktree remove --force "$base_dir" >/dev/null 2>&1 || true' EXIT
git worktree add --detach "$base_dir" "$base_ref" >/dev/null
cmake -S "$base_dir" -B "$base_dir/build" -DCMAKE_BUILD_TYPE=Release -DSWAPBENCH_TESTS=OFF >/dev/null
cmake --build "$base_dir/build" -j"$(nproc)" --target swapbench
cmake --preset default >/dev/null
cmake --build --preset default -j"$(nproc)" --target swapbench
B=build/default/swapbench
MODEL="${MODEL:-${TMPDIR:-/tmp}/swapbench-smollm2-q4_1.gguf}"
[ -f "$MODEL" ] || "$B" gen-model --shape smollm2-135m --quant q4_1 --seed 1 -o "$MODEL"
plans=()
if [ -n "${PLANS:-}" ]; then
  # One plan a line; '#' starts a comment; blanks around a plan and blank lines are dropped, and
  # a last line without a newline still counts.
  while IFS= read -r line || [ -n "$line" ]; do
    read -r p <<<"${line%%#*}" || true
    if [ -n "$p" ]; then plans+=(--plan "$p"); fi
  done <"$PLANS"
fi
"$B" gate --paired "$base_dir/build/swapbench" -m "$MODEL" "${plans[@]}" \
  --workloads "${WORKLOADS:-tg128}" --graphs on,off --rounds "${ROUNDS:-5}" \
  --thresholds "${THRESHOLDS:-ci/thresholds.example.json}" --markdown "${SUMMARY:-pr-gate.md}"
