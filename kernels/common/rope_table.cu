// fill_rope_table: one thread per (position, pair), through rope_angle itself, so the table
// holds exactly what the kernels that compute the angle inline would.
#include <cuda_runtime.h>

#include <stdexcept>

#include "kernels/common/cuda_check.h"
#include "kernels/common/rope.cuh"
#include "kernels/common/rope_table.h"

namespace swapbench {
namespace {

__global__ void rope_table_kernel(float* table, int32_t positions, int32_t rot_dim, float base) {
  const int64_t pairs = rot_dim / 2;
  const int64_t k = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (k >= int64_t(positions) * pairs) return;
  const int32_t p = static_cast<int32_t>(k / pairs), j = static_cast<int32_t>(k % pairs);
  float c, s;
  cuda::rope_angle(2 * j, rot_dim, static_cast<float>(p), base, c, s);
  table[2 * k] = c;
  table[2 * k + 1] = s;
}

}  // namespace

void fill_rope_table(float* table, int32_t positions, int32_t rot_dim, float base, void* stream) {
  if (rot_dim <= 0 || rot_dim % 2 != 0 || positions <= 0)
    throw std::invalid_argument(
        "rope table: rot_dim must be even and positive, positions positive");
  const int64_t n = int64_t(positions) * (rot_dim / 2);
  constexpr int kThreads = 256;
  rope_table_kernel<<<static_cast<unsigned>((n + kThreads - 1) / kThreads), kThreads, 0,
                      static_cast<cudaStream_t>(stream)>>>(table, positions, rot_dim, base);
  SB_CHECK_LAUNCH("rope table");
}

}  // namespace swapbench
