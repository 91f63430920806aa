// The error matvec.dp4a promises against the float reference: what its tests assert.
#pragma once

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

// Strict bound, any shape: |y[r] - y_ref[r]| <= kDp4aXRelError * sum_b amax_b(x) * sum_{j in b}
// |W[r][j]| + 1e-5 * sum_j |W[r][j] x[j]| (the last term covers float rounding of the scales
// and the reassociated sums), where amax_b(x) is the largest |x| of 32-element block b.
inline constexpr double kDp4aXRelError = 1.0 / 254.0;

}  // namespace swapbench::matvec
