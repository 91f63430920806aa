// Runs device work with the block trace recording (kernels/common/block_trace.h) and returns what
// it recorded. CUDA builds only; the records are meaningful only with -DSWAPBENCH_TRACE=ON.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "kernels/common/block_trace.h"

namespace swapbench {

// Points every hook at a fresh device buffer of `per_sm` records per SM, runs `body` (the
// device is synchronised after it), turns the hooks off and returns the records, per SM in
// recording order. Throws std::runtime_error when an SM's region overflowed.
std::vector<trace::Record> record_blocks(const std::function<void()>& body, unsigned per_sm);

}  // namespace swapbench
