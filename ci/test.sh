#!/usr/bin/env bash
# Sets everything up and runs every test: the CPU build (all tests but `gpu`, which skip with a
# reason without a device), the real model included; where nvcc is, the trace build and its
# timeline's checks; then the GGUF parser tests again under AddressSanitizer + UBSan.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
jobs="$(nproc)"
bash ci/setup-deps.sh
bash ci/fetch-model.sh
cmake --preset ci >/dev/null
cmake --build --preset ci -j"$jobs"
ctest --preset ci -j"$jobs" --timeout 900
# The trace preset (per-block clock hooks in every kernel, for `swapbench timeline`) builds only
# with nvcc and no GPU test covers it, so build it here wherever the ci build found nvcc: its
# hook code would otherwise go uncompiled until someone traces on a GPU host. Its timeline must
# get past the build check: to the missing device on this machine, or to a timeline on a GPU.
if grep -q '^CMAKE_CUDA_COMPILER:[A-Z]*=/' build/ci/CMakeCache.txt; then
  cmake --preset trace >/dev/null
  cmake --build --preset trace -j"$jobs" --target swapbench
  build/trace/swapbench gen-model --shape tiny --quant q8_0 --seed 1 -o build/trace/tiny.gguf \
    >/dev/null
  out="$(build/trace/swapbench timeline -m build/trace/tiny.gguf 2>&1 || true)"
  if [[ "$out" != *"no CUDA device"* && "$out" != *" launches, "* ]]; then
    echo "test.sh: the trace build's timeline did not reach the device: $out" >&2
    exit 1
  fi
fi
cmake --preset asan >/dev/null
cmake --build --preset asan -j"$jobs" --target swapbench_parser_tests
ctest --preset asan -j"$jobs"
echo "test.sh: all tests passed"
