#!/usr/bin/env bash
# Sets everything up and runs every test: the CPU build (all tests but `gpu`, which skip with a
# reason without a device), the real model included, then the GGUF parser tests again under
# AddressSanitizer + UBSan.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
jobs="$(nproc)"
bash ci/setup-deps.sh
bash ci/fetch-model.sh
cmake --preset ci >/dev/null
cmake --build --preset ci -j"$jobs"
ctest --preset ci -j"$jobs" --timeout 900
cmake --preset asan >/dev/null
cmake --build --preset asan -j"$jobs" --target swapbench_parser_tests
ctest --preset asan -j"$jobs"
echo "test.sh: all tests passed"
