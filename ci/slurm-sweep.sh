#!/usr/bin/env bash
# Slurm array job: each task runs one shard of the sweep into its own database; the last step
# merges them (idempotent, runs keyed by UUID).
#   sbatch --array=0-3 ci/slurm-sweep.sh          # 4 shards, one GPU each
#   SHARDS=4 ci/slurm-sweep.sh merge              # after the array finished
#SBATCH --job-name=swapbench-sweep
#SBATCH --gres=gpu:1
#SBATCH --time=02:00:00
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
B="${SWAPBENCH:-$root/build/default/swapbench}"
SHARDS="${SHARDS:-${SLURM_ARRAY_TASK_COUNT:-4}}"
OUTDIR="${OUTDIR:-sweep-shards}"
mkdir -p "$OUTDIR"
if [ "${1:-}" = merge ]; then
  "$B" db merge "$OUTDIR"/shard-*.db -o "${DB:-swapbench.db}"
  exit 0
fi
i="${SLURM_ARRAY_TASK_ID:?run under sbatch --array, or pass merge}"
"$B" sweep --model "${MODEL:?set MODEL to a GGUF file}" --db "$OUTDIR/shard-$i.db" \
  --shard "$i/$SHARDS" --tag "${TAG:-nightly}" --workloads "${WORKLOADS:-tg128}" --graphs on,off
