// Test-only CUDA variants that fault on purpose, compiled into `swapbench_with_faults` only:
// an out-of-bounds write far past any allocation (a real illegal-address fault) and a kernel
// that never ends. Both must become `crashed` / `timeout` trials, not a dead sweep.
#include "kernels/common/cuda_check.h"
#include "kernels/common/variant.h"
#include "kernels/rmsnorm/rmsnorm.h"

namespace swapbench::rmsnorm {
namespace {

__global__ void oob_kernel(float* out) {
  // 64 GiB past the output: beyond every allocation on any GPU we run on.
  out[(size_t(1) << 34) + threadIdx.x] = 1.0f;
}

__global__ void spin_kernel(volatile int* flag) {
  while (*flag == 0) {
  }
}

void oob_launch(const Args& a, const LaunchCtx& ctx) {
  oob_kernel<<<1, 32, 0, static_cast<cudaStream_t>(ctx.stream)>>>(a.out);
  SB_CHECK_LAUNCH("rmsnorm.test_oob");
}

void spin_launch(const Args& a, const LaunchCtx& ctx) {
  // The flag is the first word of `out`, zeroed just before; nothing writes it afterwards.
  SB_CUDA_CHECK(cudaMemsetAsync(a.out, 0, sizeof(int), static_cast<cudaStream_t>(ctx.stream)));
  spin_kernel<<<1, 1, 0, static_cast<cudaStream_t>(ctx.stream)>>>(reinterpret_cast<int*>(a.out));
  SB_CHECK_LAUNCH("rmsnorm.test_spin");
}

}  // namespace

SB_ON_LOAD {
  register_variant<Args>({.slot = "rmsnorm", .name = "test_oob", .backend = Backend::cuda,
                          .equality = Equality::bitwise,
                          .rationale = "Test only: writes 64 GiB out of bounds.",
                          .test_only = true},
                         &oob_launch);
  register_variant<Args>({.slot = "rmsnorm", .name = "test_spin", .backend = Backend::cuda,
                          .equality = Equality::bitwise,
                          .rationale = "Test only: a kernel that never ends.", .test_only = true},
                         &spin_launch);
}

}  // namespace swapbench::rmsnorm
