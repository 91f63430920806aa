// The rope table (kernels/common/rope_table.h) against rope_angle computed inline, which every
// kernel without the table uses: byte equality, so an attn_in variant that loads the table writes
// the bits of one that computes the angle. And against the angle in double on the host, so that a
// table in the wrong layout (cos and sin swapped, another stride) fails too.
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "gpu/gpu_support.h"
#include "kernels/common/cuda_check.h"
#include "kernels/common/rope.cuh"
#include "kernels/common/rope_table.h"

namespace swapbench {
namespace {

// out[p * rot_dim + i] = cos, [.. + i + 1] = sin, for each even i: the table's layout, inline.
__global__ void inline_angles(float* out, int32_t positions, int32_t rot_dim, float base) {
  const int32_t p = static_cast<int32_t>(blockIdx.x);
  for (int32_t i = 2 * static_cast<int32_t>(threadIdx.x); i < rot_dim; i += 2 * blockDim.x) {
    if (p >= positions) return;
    float c, s;
    cuda::rope_angle(i, rot_dim, static_cast<float>(p), base, c, s);
    out[int64_t(p) * rot_dim + i] = c;
    out[int64_t(p) * rot_dim + i + 1] = s;
  }
}

// The buffer's floats, copied to the host.
std::vector<float> floats(const test::DeviceBuffer& b) {
  const std::vector<uint8_t> bytes = b.download_all();
  std::vector<float> v(bytes.size() / sizeof(float));
  std::memcpy(v.data(), bytes.data(), v.size() * sizeof(float));
  return v;
}

TEST(RopeTable, HoldsTheInlineAnglesBitForBitInItsLayout) {
  SB_REQUIRE_GPU();
  struct Model {
    int32_t positions, rot_dim;
    float base;
  };
  // smollm2-135m's and llama-8b's rope (head_dim 64, base 1e5; 128, 5e5), and an odd count.
  for (const Model m :
       {Model{8192, 64, 100000.0f}, Model{8192, 128, 500000.0f}, Model{37, 6, 10000.0f}}) {
    const size_t n = size_t(m.positions) * size_t(m.rot_dim);
    test::DeviceBuffer table(n * sizeof(float)), inline_(n * sizeof(float));
    table.poison();  // NaN: an entry left unwritten fails both comparisons
    inline_.poison();
    fill_rope_table(table.as<float>(), m.positions, m.rot_dim, m.base, nullptr);
    inline_angles<<<static_cast<unsigned>(m.positions), 64>>>(inline_.as<float>(), m.positions,
                                                              m.rot_dim, m.base);
    SB_CHECK_LAUNCH("inline_angles");
    SB_CUDA_CHECK(cudaDeviceSynchronize());
    const std::vector<float> t = floats(table), e = floats(inline_);
    ASSERT_EQ(std::memcmp(t.data(), e.data(), n * sizeof(float)), 0) << "rot_dim " << m.rot_dim;
    for (const int32_t p : {0, 1, m.positions / 2, m.positions - 1})
      for (int32_t i = 0; i < m.rot_dim; i += 2) {
        const double a = double(p) * std::pow(double(m.base), -double(i) / m.rot_dim);
        const size_t k = size_t(p) * size_t(m.rot_dim) + size_t(i);
        EXPECT_NEAR(t[k], std::cos(a), 5e-3) << "cos, position " << p << ", pair " << i;
        EXPECT_NEAR(t[k + 1], std::sin(a), 5e-3) << "sin, position " << p << ", pair " << i;
      }
  }
}

TEST(RopeTable, RejectsAnOddOrEmptyRotation) {
  EXPECT_THROW(fill_rope_table(nullptr, 8, 7, 10000.0f, nullptr), std::invalid_argument);
  EXPECT_THROW(fill_rope_table(nullptr, 8, 0, 10000.0f, nullptr), std::invalid_argument);
  EXPECT_THROW(fill_rope_table(nullptr, 0, 64, 10000.0f, nullptr), std::invalid_argument);
}

}  // namespace
}  // namespace swapbench
