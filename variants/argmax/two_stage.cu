// `argmax` over many blocks in one launch: each block reduces a 1024-logit slice to one
// (value, index) pair in the workspace, and the last block to finish reduces those pairs.
// Saves latency: block_reduce streams all logits through one SM (~9.6 us for 49k); here 48
// blocks read 4 KiB each in parallel, at the cost of one atomic. The ticket counter lives in the
// call's zeroed memory (LaunchCtx::zeroed) and the last block sets it back to zero, so the call
// needs no memset node: that node's edge is not programmatic, and the step's release of argmax
// came 4-5 us after the output matvec ended (H200: +0.45% smollm2 tok/s without it).
// Bit-identical to the reference: the pair order is total, so any reduction tree agrees.
#include <cuda_runtime.h>

#include <cstdint>
#include <stdexcept>

#include "kernels/argmax/argmax.h"
#include "kernels/common/cuda_check.h"
#include "kernels/common/launch.cuh"
#include "kernels/common/reduce.cuh"
#include "kernels/common/traffic.h"

namespace swapbench::argmax {
namespace {

constexpr int kThreads = 256;
constexpr int32_t kSlice = 4 * kThreads;  // logits per block: one float4 per thread
static_assert(kSlice % 4 == 0, "slices must start on float4 boundaries");

int32_t blocks_for(int64_t n) { return static_cast<int32_t>((n + kSlice - 1) / kSlice); }

// Workspace: one partial per block as float2 {value, index bits}. Zeroed: the arrival counter.
size_t workspace_for(const Shape& s) {
  return sizeof(float2) * static_cast<size_t>(blocks_for(s.cols));
}

// kVec: x is 16-byte aligned, so a thread's four logits come in one load.
template <bool kVec>
__global__ void __launch_bounds__(kThreads)
    two_stage_kernel(const float* __restrict__ x, int32_t n, int32_t* out, unsigned* counter,
                     float2* partials) {
  sb_grid_wait();
  sb_grid_launch_dependents();
  __shared__ cuda::ArgMaxPair scratch[cuda::kMaxWarps];
  __shared__ bool last;
  const int32_t tid = static_cast<int32_t>(threadIdx.x);
  const int32_t begin = static_cast<int32_t>(blockIdx.x) * kSlice;
  const int32_t end = min(n, begin + kSlice);
  cuda::ArgMaxPair best = cuda::argmax_none();
  if constexpr (kVec) {
    const int32_t i = begin + 4 * tid;
    if (i + 3 < end) {
      const float4 v = reinterpret_cast<const float4*>(x)[i / 4];
      cuda::argmax_offer(best, v.x, i);
      cuda::argmax_offer(best, v.y, i + 1);
      cuda::argmax_offer(best, v.z, i + 2);
      cuda::argmax_offer(best, v.w, i + 3);
    } else {
      for (int32_t k = i; k < end; ++k) cuda::argmax_offer(best, x[k], k);
    }
  } else {
    for (int32_t k = begin + tid; k < end; k += kThreads) cuda::argmax_offer(best, x[k], k);
  }
  best = cuda::block_argmax(best, scratch);

  // The threadFenceReduction pattern: publish the partial, fence, then take a ticket; the block
  // that draws the last ticket sees every other block's partial.
  if (tid == 0) {
    partials[blockIdx.x] = make_float2(best.value, __int_as_float(best.index));
    __threadfence();
    last = atomicAdd(counter, 1u) == gridDim.x - 1;
    // Every block has drawn its ticket: zero for the next call (its blocks draw only after their
    // grid wait, when this launch has completed).
    if (last) *counter = 0u;
  }
  __syncthreads();
  if (!last) return;
  __threadfence();
  best = cuda::argmax_none();
  for (int32_t b = tid; b < static_cast<int32_t>(gridDim.x); b += kThreads) {
    const float2 p = __ldcg(partials + b);  // from L2: written by other SMs
    const cuda::ArgMaxPair c{p.x, __float_as_int(p.y)};
    if (cuda::argmax_better(c, best)) best = c;
  }
  best = cuda::block_argmax(best, scratch);
  if (tid == 0) *out = best.index < 0 ? 0 : best.index;  // all NaN: index 0, as the reference
}

void launch(const Args& a, const LaunchCtx& ctx) {
  if (ctx.zeroed == nullptr)
    throw std::invalid_argument("argmax.two_stage: no zeroed memory for its ticket counter");
  auto* counter = static_cast<unsigned*>(ctx.zeroed);
  auto* partials = static_cast<float2*>(ctx.workspace);
  const bool vec = reinterpret_cast<uintptr_t>(a.x) % alignof(float4) == 0;
  launch_kernel("argmax.two_stage", vec ? two_stage_kernel<true> : two_stage_kernel<false>,
                blocks_for(a.n), kThreads, 0, ctx, a.x, a.n, a.out, counter, partials);
}

}  // namespace

SB_ON_LOAD {
  register_variant<Args>(
      {.slot = "argmax",
       .name = "two_stage",
       .backend = Backend::cuda,
       .equality = Equality::bitwise,
       .rationale = "One block per 1024 logits (one float4 per thread) reduces its slice to a "
                    "(value, index) pair in the workspace; the last block to arrive (atomic "
                    "ticket) reduces the pairs. Spreads the logits over many SMs instead of one, "
                    "in one launch; the last block leaves the counter at zero for the next call "
                    "(no memset node). The pair order is "
                    "total (NaN never wins, ties to the lower index): equal to the reference.",
       .applies = [](const Shape& s) { return require(s.cols > 0, "n must be positive"); },
       .bytes = [](const Shape& s) { return traffic::argmax_bytes(s); },
       .flops = [](const Shape& s) { return double(s.cols); },
       .workspace_bytes = workspace_for,
       .zeroed_bytes = [](const Shape&) { return sizeof(unsigned); }},
      &launch);
}

}  // namespace swapbench::argmax
