// The strict per-row bound of the dp4a matvecs (variants/matvec/dp4a_bound.h), checked on the
// CPU against a model of what those kernels compute: weights used exactly, x rounded per
// 32-element block to multiples of amax / 127 the way the kernels round it (x * (127 / amax),
// to nearest even). The GPU tests hold the kernels to the same bound; this holds the bound to
// its derivation, and shows it catches a row that lost a block.
#include "variants/matvec/dp4a_bound.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "kernels/common/quant.h"
#include "kernels/common/quant_cpu.h"

namespace swapbench {
namespace {

// x rounded as the dp4a kernels round it (variants/matvec/dp4a.cu's quantize step), in floats.
std::vector<float> dp4a_rounded(const std::vector<float>& x) {
  std::vector<float> out(x.size());
  for (size_t b = 0; b < x.size(); b += kQK) {
    float amax = 0.0f;
    for (size_t j = b; j < b + kQK; ++j) amax = std::max(amax, std::fabs(x[j]));
    const float id = amax > 0.0f ? 127.0f / amax : 0.0f;
    const float d = amax / 127.0f;
    for (size_t j = b; j < b + kQK; ++j) out[j] = d * std::nearbyint(x[j] * id);
  }
  return out;
}

double dot(const float* w, const float* x, int64_t n, int64_t skip_block = -1) {
  double s = 0.0;
  for (int64_t j = 0; j < n; ++j)
    if (j / kQK != skip_block) s += double(w[j]) * double(x[j]);
  return s;
}

// rows x cols weights in [-1, 1) through `t` and back: what the kernels multiply by.
std::vector<float> dequantized_weights(DType t, int64_t rows, int64_t cols, std::mt19937& rng) {
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> row(static_cast<size_t>(cols)), out(static_cast<size_t>(rows * cols));
  std::vector<uint8_t> q(row_bytes(t, uint64_t(cols)));
  for (int64_t r = 0; r < rows; ++r) {
    for (float& v : row) v = u(rng);
    quantize_row(t, row.data(), q.data(), cols);
    dequantize_row(t, q.data(), out.data() + r * cols, cols);
  }
  return out;
}

// x in [-1, 1); `awkward` adds the hard blocks: all zeros (amax 0), one outlier of 50 among
// small values (the outlier sets the step for all), and exact rounding ties (k + 0.5 steps).
std::vector<float> input_x(int64_t cols, bool awkward, std::mt19937& rng) {
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> x(static_cast<size_t>(cols));
  for (float& v : x) v = u(rng);
  const int64_t nb = awkward ? cols / kQK : 0;
  if (nb > 1) std::fill(x.begin() + kQK, x.begin() + 2 * kQK, 0.0f);
  if (nb > 2) {
    for (int64_t j = 2 * kQK; j < 3 * kQK; ++j) x[size_t(j)] *= 0.01f;
    x[2 * kQK + 5] = 50.0f;
  }
  if (nb > 3) {
    x[3 * kQK] = 1.0f;  // amax 1: step 1 / 127, and ties at (k + 0.5) / 127
    for (int64_t j = 1; j < kQK; ++j) x[size_t(3 * kQK + j)] = (float(j % 7) + 0.5f) / 127.0f;
  }
  return x;
}

class Dp4aRowBound : public ::testing::TestWithParam<DType> {};

TEST_P(Dp4aRowBound, HoldsForEveryRowAtTinyAndModelWidths) {
  const DType t = GetParam();
  std::mt19937 rng(1234 + unsigned(t));
  for (const int64_t cols : {int64_t{32}, int64_t{64}, int64_t{96}, int64_t{576}, int64_t{4096}}) {
    const int64_t rows = cols >= 4096 ? 16 : 64;
    const std::vector<float> w = dequantized_weights(t, rows, cols, rng);
    for (int trial = 0; trial < 4; ++trial) {
      const bool awkward = trial >= 2;
      const std::vector<float> x = input_x(cols, awkward, rng);
      const std::vector<float> xq = dp4a_rounded(x);
      const double res = trial % 2 ? 0.75 : 0.0;
      for (int64_t r = 0; r < rows; ++r) {
        const float* wr = w.data() + r * cols;
        const double want = res + dot(wr, x.data(), cols);
        const double got = res + dot(wr, xq.data(), cols);
        const double bound = matvec::dp4a_row_bound(wr, x.data(), cols, res);
        ASSERT_LE(std::fabs(got - want), bound)
            << name(t) << " row " << r << " of " << rows << " x " << cols << ", trial " << trial;
        if (awkward) continue;  // an outlier of 50 sets its block's step: the bound is loose there
        // On uniform x the bound means something: ~0.8% of the row's magnitude.
        double magnitude = std::fabs(res);
        for (int64_t j = 0; j < cols; ++j) magnitude += std::fabs(double(wr[j]) * x[size_t(j)]);
        EXPECT_LT(bound, 0.02 * magnitude) << name(t) << " " << rows << " x " << cols;
      }
    }
  }
}

// The bound is the worst case, and it is reached: x built against a row's signs, each element
// just short of a rounding tie on the side that makes its error add (amax 2 in every block, so a
// bound that forgot amax would be half as large).
TEST_P(Dp4aRowBound, IsReachedWhereEveryRoundingErrorAdds) {
  const DType t = GetParam();
  std::mt19937 rng(7 + unsigned(t));
  for (const int64_t cols : {int64_t{32}, int64_t{576}}) {
    const std::vector<float> w = dequantized_weights(t, 1, cols, rng);
    std::vector<float> x(static_cast<size_t>(cols));
    const float d = 2.0f / 127.0f;
    for (int64_t j = 0; j < cols; ++j) {
      if (j % kQK == 0) {
        x[size_t(j)] = 2.0f;  // the block's amax: its step is 2 / 127, its own error 0
        continue;
      }
      const float k = float(j % 50) - 25.0f;  // |x| < amax
      x[size_t(j)] = (k + 0.5f + (w[size_t(j)] >= 0.0f ? 0.01f : -0.01f)) * d;
    }
    const std::vector<float> xq = dp4a_rounded(x);
    const double err = std::fabs(dot(w.data(), xq.data(), cols) - dot(w.data(), x.data(), cols));
    const double bound = matvec::dp4a_row_bound(w.data(), x.data(), cols);
    EXPECT_LE(err, bound) << name(t) << " 1 x " << cols;
    EXPECT_GT(err, 0.9 * bound) << name(t) << " 1 x " << cols;
  }
}

// A row that lost one block (a kernel bug at a tiny shape) leaves the bound on most rows: at 64
// columns the missing 32 products are ~1.9 in size against a bound of ~0.12.
TEST_P(Dp4aRowBound, CatchesARowThatLostABlock) {
  const DType t = GetParam();
  std::mt19937 rng(99 + unsigned(t));
  const int64_t rows = 200, cols = 64;
  const std::vector<float> w = dequantized_weights(t, rows, cols, rng);
  const std::vector<float> x = input_x(cols, false, rng);
  const std::vector<float> xq = dp4a_rounded(x);
  int caught = 0;
  for (int64_t r = 0; r < rows; ++r) {
    const float* wr = w.data() + r * cols;
    const double want = dot(wr, x.data(), cols);
    const double lost = dot(wr, xq.data(), cols, /*skip_block=*/0);
    caught += std::fabs(lost - want) > matvec::dp4a_row_bound(wr, x.data(), cols);
  }
  EXPECT_GE(caught, rows * 85 / 100) << name(t) << ": only " << caught << " of " << rows;
}

INSTANTIATE_TEST_SUITE_P(Types, Dp4aRowBound,
                         ::testing::Values(DType::q8_0, DType::q4_0, DType::q4_1),
                         [](const auto& info) { return std::string(name(info.param)); });

}  // namespace
}  // namespace swapbench
