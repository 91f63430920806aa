#!/usr/bin/env bash
# On a GPU host: build the CUDA backend, run the gpu-labelled tests, measure the device, and
# benchmark decode on generated models. Logs and JSON go to $OUT (default /tmp/swapbench-out).
# Usage: ci/gpu-check.sh [quick|full]   quick: tests + smollm2; full: also the 8B shapes.
set -uo pipefail
mode="${1:-full}"
OUT="${OUT:-/tmp/swapbench-out}"
mkdir -p "$OUT"
[ -f .dev/prelude.sh ] && source .dev/prelude.sh
jobs="$(nproc)"
arch="${CUDA_ARCH:-90}"
log="$OUT/gpu-check.log"

cmake -S . -B build/gpu -DSWAPBENCH_CUDA=ON -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CUDA_ARCHITECTURES="$arch" >"$OUT/build.log" 2>&1 || { tail -40 "$OUT/build.log"; exit 1; }
cmake --build build/gpu -j"$jobs" --target swapbench swapbench_gpu_tests swapbench_with_faults \
  >>"$OUT/build.log" 2>&1 || { grep -E "error|Error" "$OUT/build.log" | head -60; exit 1; }
B=build/gpu/swapbench
{
  nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu,power.draw \
    --format=csv
  $B device-info
} 2>&1 | tee "$log"

# The gtest binary directly: one process, so CUDA starts once (ctest would start 1000+).
build/gpu/tests/swapbench_gpu_tests --gtest_brief=1 >"$OUT/gpu-tests.log" 2>&1
echo "gpu tests rc=$?" | tee -a "$log"
grep -E "^\[  (PASSED|FAILED) |tests? ran|FAILED TEST|^\[  FAILED" "$OUT/gpu-tests.log" | head -30 | tee -a "$log"

models=/tmp/sb-models
mkdir -p "$models"
S="$models/smollm2-q4_1.gguf"
$B gen-model --shape smollm2-135m --quant q4_1 --seed 1 -o "$S" >/dev/null
fast="matvec=v3_small,matvec_pair=fused,matvec_residual=shuffle,rmsnorm=warp_shuffle,argmax=two_stage"
dp4a="matvec=dp4a,matvec_pair=fused,matvec_residual=shuffle"
# The fastest measured plans (docs/results.md).
best="attn_in=warp_norm,ffn_in=warp_norm,attn_decode=warp_tile,matvec=v3_small,matvec.q8_0=coalesced,matvec_residual=shuffle,rmsnorm=warp_shuffle,argmax=two_stage"
best8b="matvec=coalesced,matvec_pair=coalesced,matvec_residual=coalesced,attn_in=coalesced,ffn_in=coalesced,attn_decode=warp_tile[warps=16],argmax=two_stage"
# With x in int8 (NMSE <= 1e-3 per call): D4, the best q8_0 plan, and D4p5, the best q4_0 plan.
d4="matvec=coalesced,matvec_pair=coalesced,matvec_residual=coalesced_dp4a,attn_in=coalesced_dp4a,ffn_in=coalesced_dp4a,attn_decode=warp_tile[warps=16],argmax=two_stage"
d4p5="${d4/matvec_residual=coalesced_dp4a/matvec_residual=coalesced_dp4a[pieces_before_wait=5]}"
# Two back-to-back runs of the same bench (repeatability), the first with taps for diff.
for i in 1 2; do
  taps=""; [ $i = 1 ] && taps="--taps 1"
  echo "== smollm2 bench run $i" | tee -a "$log"
  $B bench --backend cuda -m "$S" -w tg128 --graphs on,off --max-seconds 6 $taps --plan "$fast" --plan "$dp4a" \
    --json "$OUT/bench-smollm2-$i.json" 2>&1 | tee -a "$log"
done
echo "== diff: dp4a plan (graphs on) against the reference plan (graphs on)" | tee -a "$log"
$B diff "$OUT/bench-smollm2-1.json" "$OUT/bench-smollm2-1.json" --trial-a 4 --trial-b 0 2>&1 | tee -a "$log"
echo "== smollm2 with PDL" | tee -a "$log"
$B bench --backend cuda -m "$S" -w tg128,tg128@ctx4096 --graphs on,off --pdl on --max-seconds 5 --no-profile \
  --plan "$fast" --plan "$best" 2>&1 | tee -a "$log"
[ "$mode" = quick ] && exit 0

for q in q8_0 q4_0; do
  $B gen-model --shape llama-8b --quant $q --seed 1 -o "$models/llama8b-$q.gguf" >/dev/null
  echo "== llama-8b $q" | tee -a "$log"
  $B bench --backend cuda -m "$models/llama8b-$q.gguf" -w tg128 --graphs on --pdl on --max-seconds 5 --slots \
    --plan "matvec=v3,matvec_pair=fused,matvec_residual=shuffle" \
    --plan "matvec=coalesced,matvec_pair=coalesced,matvec_residual=coalesced,argmax=two_stage" \
    --plan "$best8b" --plan "$d4" --plan "$d4p5" \
    2>&1 | tee -a "$log"
  rm -f "$models/llama8b-$q.gguf"
done
