// The error matvec.dp4a promises against the float reference: what its tests assert.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace swapbench::matvec {

// Bound on NMSE = sum_r (y[r] - y_ref[r])^2 / sum_r y_ref[r]^2 for matvec.dp4a.
// Why: x is rounded per 32-element block to multiples of d = amax / 127, so each element's error
// is at most d / 2 = amax / 254, and a block's error energy is at most
// 32 * (amax / 254)^2 <= 32 / 254^2 * |x_b|^2 = 4.96e-4 |x_b|^2 (amax^2 <= |x_b|^2). For
// weights independent of x with zero mean, E[(w.e)^2] / E[(w.x)^2] = |e|^2 / |x|^2, hence
// NMSE <= 4.96e-4 whatever x is; with rounding errors uniform in [-d/2, d/2] and Gaussian x it
// is about 2.6e-5 (expected 1e-5 .. 1e-4). Weights are used exactly and the integer dot products
// are exact; float rounding adds ~1e-13. The bound leaves a factor 2 over the worst case.
// NMSE is a ratio of sums, so it only means this over enough rows (>= 64): on one or a few rows
// y_ref can be near zero by cancellation and the ratio is unbounded (seen on a 1 x 32 q4_1
// call: 1.5e-3). For tiny shapes use the strict per-row bound below.
inline constexpr double kDp4aNmseBound = 1e-3;
// The fewest rows (outputs) over which the tests assert kDp4aNmseBound.
inline constexpr int64_t kDp4aNmseMinRows = 64;

// Strict bound, any shape: |y[r] - y_ref[r]| <= kDp4aXRelError * sum_b amax_b(x) * sum_{j in b}
// |W[r][j]| + kDp4aFloatRelError * (sum_j |W[r][j] x[j]| + |res[r]|) (the last term covers float
// rounding of the scales, the reassociated sums and a residual's add), where amax_b(x) is the
// largest |x| of 32-element block b. Why: x_j is replaced by a multiple of d_b = amax_b / 127 at
// most d_b / 2 away (a rounding tie under the kernels' x * (127 / amax) by an ulp more), and the
// weights are used exactly, so the dot moves by at most sum_j |W[r][j]| d_b / 2. It holds per
// row whatever the reference's cancellation, but sums the worst case over every element, so over
// long rows it is looser than the NMSE bound: the two check different things.
inline constexpr double kDp4aXRelError = 1.0 / 254.0;
inline constexpr double kDp4aFloatRelError = 1e-5;

// The strict bound for one row (host): `w` is the row dequantized, `x` the float input, both
// `cols` long (a multiple of 32), `res` the residual added to the row's dot (0 when none).
inline double dp4a_row_bound(const float* w, const float* x, int64_t cols, double res = 0.0) {
  double rounding = 0.0, magnitude = std::fabs(res);
  for (int64_t b = 0; b + 32 <= cols; b += 32) {
    double amax = 0.0, wsum = 0.0;
    for (int64_t j = b; j < b + 32; ++j) {
      amax = std::max(amax, std::fabs(double(x[j])));
      wsum += std::fabs(double(w[j]));
      magnitude += std::fabs(double(w[j]) * double(x[j]));
    }
    rounding += amax * wsum;
  }
  return kDp4aXRelError * rounding + kDp4aFloatRelError * magnitude;
}

}  // namespace swapbench::matvec
