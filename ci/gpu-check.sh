#!/usr/bin/env bash
# On a GPU host: build the CUDA backend, run the gpu-labelled tests, measure the device, and
# benchmark decode on generated models. Logs and JSON go to $OUT (default /tmp/swapbench-out).
# Usage: ci/gpu-check.sh [quick|full]   quick: tests + smollm2 bench; full: also the 8B shapes.
set -uo pipefail
mode="${1:-full}"
OUT="${OUT:-/tmp/swapbench-out}"
mkdir -p "$OUT"
[ -f .dev/prelude.sh ] && source .dev/prelude.sh
jobs="$(nproc)"
arch="${CUDA_ARCH:-90}"

cmake -S . -B build/gpu -DSWAPBENCH_CUDA=ON -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CUDA_ARCHITECTURES="$arch" >"$OUT/configure.log" 2>&1 || { tail -40 "$OUT/configure.log"; exit 1; }
cmake --build build/gpu -j"$jobs" --target swapbench swapbench_gpu_tests >"$OUT/build.log" 2>&1 ||
  { grep -E "error|Error" "$OUT/build.log" | head -60; exit 1; }
B=build/gpu/swapbench
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu,power.draw \
  --format=csv | tee "$OUT/nvidia-smi.txt"
$B device-info | tee "$OUT/device.txt"

# The gtest binary directly: one process, so CUDA starts once (ctest would start 1000+).
build/gpu/tests/swapbench_gpu_tests --gtest_brief=1 --gtest_output=json:"$OUT/gpu-tests.json" \
  >"$OUT/gpu-tests.log" 2>&1
echo "gpu tests rc=$?"
grep -E "^\[  (PASSED|FAILED|SKIPPED) |tests? ran|FAILED TEST" "$OUT/gpu-tests.log" | head -40

models=/tmp/sb-models
mkdir -p "$models"
$B gen-model --shape smollm2-135m --quant q4_1 --seed 1 -o "$models/smollm2-q4_1.gguf"
fast="matvec=v3_small,matvec_pair=fused,matvec_residual=shuffle,rmsnorm=warp_shuffle"
$B bench -m "$models/smollm2-q4_1.gguf" -w tg128 --graphs on,off --reps 7 \
  --plan "" --plan "$fast" --plan "matvec=dp4a,matvec_pair=fused,matvec_residual=shuffle" \
  --json "$OUT/bench-smollm2.json" | tee "$OUT/bench-smollm2.txt"
[ "$mode" = quick ] && exit 0

for q in q8_0 q4_0; do
  /usr/bin/time -f "gen llama-8b $q: %e s" $B gen-model --shape llama-8b --quant $q --seed 1 \
    -o "$models/llama8b-$q.gguf"
  $B bench -m "$models/llama8b-$q.gguf" -w tg128 --graphs on --reps 5 \
    --plan "" --plan "matvec=v3,matvec_pair=fused,matvec_residual=shuffle" \
    --plan "matvec=dp4a,matvec_pair=fused,matvec_residual=shuffle" \
    --json "$OUT/bench-llama8b-$q.json" | tee "$OUT/bench-llama8b-$q.txt"
  rm -f "$models/llama8b-$q.gguf"
done
