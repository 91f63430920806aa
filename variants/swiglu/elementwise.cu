// CUDA reference of `swiglu`: one thread per element, out = gate / (1 + expf(-gate)) * up.
// Saves nothing by itself (a separate launch reading gate and up back); fusing it into the
// gate/up matvec is the variant that saves the round trip. Not bit-identical to the CPU
// reference, which computes in double; expf here is the accurate (not fast-math) one.
#include <cuda_runtime.h>

#include "kernels/common/cuda_check.h"
#include "kernels/common/launch.cuh"
#include "kernels/common/traffic.h"
#include "kernels/swiglu/swiglu.h"

namespace swapbench::swiglu {
namespace {

constexpr int kThreads = 256;

__global__ void elementwise_kernel(const float* __restrict__ gate, const float* __restrict__ up,
                                   float* __restrict__ out, int32_t n) {
  sb_grid_wait();
  sb_grid_launch_dependents();
  const int32_t i = static_cast<int32_t>(blockIdx.x * blockDim.x + threadIdx.x);
  if (i >= n) return;
  const float g = gate[i];
  out[i] = g / (1.0f + expf(-g)) * up[i];
}

void launch(const Args& a, const LaunchCtx& ctx) {
  const int blocks = (a.n + kThreads - 1) / kThreads;
  launch_kernel("swiglu.elementwise", elementwise_kernel, blocks, kThreads, 0, ctx, a.gate, a.up,
                a.out, a.n);
}

}  // namespace

SB_ON_LOAD {
  register_variant<Args>(
      {.slot = "swiglu",
       .name = "elementwise",
       .backend = Backend::cuda,
       .equality = Equality::bitwise,
       .rationale = "One thread per element in 256-thread blocks (6 blocks for the small model's "
                    "1536, 56 for 14336): silu(gate) * up with the accurate expf. The CUDA "
                    "reference.",
       .applies = [](const Shape& s) { return require(s.cols > 0, "n must be positive"); },
       .bytes = [](const Shape& s) { return traffic::swiglu_bytes(s); },
       .flops = [](const Shape& s) { return traffic::swiglu_flops(s); }},
      &launch);
}

}  // namespace swapbench::swiglu
