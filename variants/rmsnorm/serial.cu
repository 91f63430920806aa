// CUDA reference of `rmsnorm`: one block; per-thread partial sums of squares go to shared
// memory and thread 0 adds them serially in thread order, then every thread scales its elements.
// Saves nothing against the CPU (it is the plain version); the order is simple enough to
// reproduce anywhere. Not bit-identical to the CPU reference, which sums in double in index
// order; bitwise-stable run to run for a given `threads`.
#include <cuda_runtime.h>

#include "kernels/common/cuda_check.h"
#include "kernels/common/launch.cuh"
#include "kernels/common/reduce.cuh"
#include "kernels/common/traffic.h"
#include "kernels/rmsnorm/rmsnorm.h"

namespace swapbench::rmsnorm {
namespace {

__global__ void serial_kernel(const float* __restrict__ x, const float* __restrict__ weight,
                              float* __restrict__ out, int32_t n, float eps) {
  sb_grid_wait();
  sb_grid_launch_dependents();
  __shared__ float partial[1024];
  __shared__ float scale;
  const int32_t tid = static_cast<int32_t>(threadIdx.x);
  const int32_t stride = static_cast<int32_t>(blockDim.x);
  float ss = 0.0f;
  for (int32_t i = tid; i < n; i += stride) ss = fmaf(x[i], x[i], ss);
  partial[tid] = ss;
  __syncthreads();
  if (tid == 0) {
    float total = 0.0f;
    for (int32_t t = 0; t < stride; ++t) total += partial[t];
    scale = 1.0f / sqrtf(total / static_cast<float>(n) + eps);
  }
  __syncthreads();
  const float s = scale;
  for (int32_t i = tid; i < n; i += stride) out[i] = x[i] * s * weight[i];
}

void launch(const Args& a, const LaunchCtx& ctx) {
  launch_kernel("rmsnorm.serial", serial_kernel, 1, cuda::whole_warps(ctx.param("threads")), 0,
                ctx, a.x, a.weight, a.out, a.n, a.eps);
}

}  // namespace

SB_ON_LOAD {
  register_variant<Args>(
      {.slot = "rmsnorm",
       .name = "serial",
       .backend = Backend::cuda,
       .equality = Equality::bitwise,
       .rationale = "One block: per-thread sums of squares in shared memory, added serially by "
                    "thread 0 in thread order, then every thread scales. The CUDA reference: "
                    "simple and deterministic, but thread 0's loop is a serial tail of `threads` "
                    "adds.",
       .params = {{.name = "threads", .min = 32, .max = 1024, .def = 256,
                   .doc = "threads of the one block (rounded up to whole warps); changes the "
                          "summation order, so compare variants at the same value"}},
       .applies = [](const Shape& s) { return require(s.cols > 0, "n must be positive"); },
       .bytes = [](const Shape& s) { return traffic::rmsnorm_bytes(s); },
       .flops = [](const Shape& s) { return traffic::rmsnorm_flops(s); }},
      &launch);
}

}  // namespace swapbench::rmsnorm
