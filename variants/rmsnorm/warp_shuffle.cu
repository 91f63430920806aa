// `rmsnorm` with the sum of squares reduced by warp xor-shuffles and one cross-warp step instead
// of thread 0's serial loop over every thread's partial.
// Saves latency: a log2(32) + log2(warps) deep tree instead of a `threads`-long serial tail and
// a shared-memory round trip per thread. Not bit-identical to `serial`: the same per-thread
// partials are added in a different (tree) order, so the scale may differ in the last bit.
#include <cuda_runtime.h>

#include "kernels/common/cuda_check.h"
#include "kernels/common/launch.cuh"
#include "kernels/common/reduce.cuh"
#include "kernels/common/rms_scale.cuh"
#include "kernels/common/traffic.h"
#include "kernels/rmsnorm/rmsnorm.h"

namespace swapbench::rmsnorm {
namespace {

__global__ void warp_shuffle_kernel(const float* __restrict__ x, const float* __restrict__ weight,
                                    float* __restrict__ out, int32_t n, float eps) {
  sb_grid_wait();
  sb_grid_launch_dependents();
  __shared__ float scratch[cuda::kMaxWarps];
  const int32_t tid = static_cast<int32_t>(threadIdx.x);
  const int32_t stride = static_cast<int32_t>(blockDim.x);
  const float s = cuda::rms_scale(x, n, eps, stride, scratch);
  for (int32_t i = tid; i < n; i += stride) out[i] = cuda::rms_apply(x[i], s, weight[i]);
}

void launch(const Args& a, const LaunchCtx& ctx) {
  launch_kernel("rmsnorm.warp_shuffle", warp_shuffle_kernel, 1,
                cuda::whole_warps(ctx.param("threads")), 0, ctx, a.x, a.weight, a.out, a.n, a.eps);
}

}  // namespace

SB_ON_LOAD {
  register_variant<Args>(
      {.slot = "rmsnorm",
       .name = "warp_shuffle",
       .backend = Backend::cuda,
       .equality = Equality::reassociates,
       .rationale = "Reduces the per-thread sums of squares with xor shuffles inside each warp "
                    "and one more shuffle round over the warp sums, instead of a serial loop in "
                    "thread 0: a shorter critical path for this latency-bound kernel. Adds in a "
                    "tree order, so the scale can differ from `serial` in the last bit.",
       .params = {{.name = "threads", .min = 32, .max = 1024, .def = 256,
                   .doc = "threads of the one block (rounded up to whole warps)"}},
       .applies = [](const Shape& s) { return require(s.cols > 0, "n must be positive"); },
       .bytes = [](const Shape& s) { return traffic::rmsnorm_bytes(s); },
       .flops = [](const Shape& s) { return traffic::rmsnorm_flops(s); }},
      &launch);
}

}  // namespace swapbench::rmsnorm
