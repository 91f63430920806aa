// The problems of the variant correctness tests: for each slot family, the inputs of a case
// (random, never zero; weights quantized with quantize_row), its outputs (poisoned before a
// launch) and how to call the slot with host or device pointers. Inputs depend only on (slot,
// shape, seed), so every variant of a slot sees the same ones.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "gpu/variant_cases.h"
#include "kernels/common/variant.h"

namespace swapbench::test::harness {

// One buffer of a call: its initial bytes, and the byte range the call writes (none: an input).
struct Buffer {
  std::string name;
  std::vector<uint8_t> init;
  size_t out_off = 0, out_len = 0;
  bool i32 = false;    // int32 elements (compared exactly); else f32
  bool exact = false;  // f32 compared for byte equality rather than NMSE
  bool poison = true;  // poison the written range first (false when the call reads it: in place)
  bool output() const { return out_len > 0; }
};

using Ptrs = std::vector<void*>;  // one per buffer, host or device
using LaunchFn = std::function<void(const Variant&, const Ptrs&, const LaunchCtx&)>;
// Part `k` of `parts` independent pieces of the call (row ranges), for a threaded CPU reference.
using PartFn = std::function<void(const Variant&, const Ptrs&, const LaunchCtx&, int k, int parts)>;

// A call: its buffers, and how to launch it whole or by parts.
struct Problem {
  std::vector<Buffer> bufs;
  LaunchFn launch;
  PartFn launch_part;  // empty: the call cannot be split
};

// Runs fn(begin, end) over [0, n) on up to hardware_concurrency threads.
void parallel_for(size_t n, size_t grain, const std::function<void(size_t, size_t)>& fn);

// The problem of a case of each family ("matvec", "attn_in", ...), from the case and its seed.
using Builder = Problem (*)(const Case&, uint64_t);
const std::map<std::string, Builder>& builders();

}  // namespace swapbench::test::harness
