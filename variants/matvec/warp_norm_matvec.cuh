// The kernel template behind attn_in.warp_norm and ffn_in.warp_norm: the fused input slots for a
// small model (dim <= 1024: one 32-element block of x per lane), with no shared x and no barrier
// after the grid wait.
//
// Why: in norm_matvec.cuh every block computes the norm scale with a block reduction and stages
// xn in shared memory, so after the grid wait each block runs x's round trip, two barriers of
// block_sum, x again, and a third barrier before its first dot: ~1.6 us of a ~2.6 us launch on
// smollm2 (trace, sixteenth session). Here each warp does it alone: lane l reads x's block l (one
// round trip), the squares are summed in the lane and then by warp_sum, and the lane scales its
// 32 elements in registers and dots them with rows it loaded before the wait. The norm weight
// and the Op's step inputs (Op::read_early) are read before the wait too. Each warp handles U
// units (groups of R rows) so that x's reads and the norm are shared by U of them, and lane u
// stores unit u, so the U stores run side by side.
//
// The squares are summed in another order than rmsnorm.warp_shuffle's (each lane its own block as
// dot32 sums a block, then the xor tree), so xn, and the row sums, reassociate against every
// other path.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/common/rms_scale.cuh"
#include "kernels/common/variant.h"
#include "variants/matvec/matvec_kernels.cuh"
#include "variants/matvec/norm_matvec.cuh"

namespace swapbench::mv {

// The widest x a warp can hold: one 32-element block per lane.
constexpr int kWarpNormMaxDim = kWarpSize * kQK;

// Rows of type T a lane can hold in registers across the wait (PreloadedRows' budget).
template <DType T>
constexpr int warp_norm_max_rows() {
  return kPreloadRegs / static_cast<int>(sizeof(WBlock<T>) / 4);
}

// Whether R rows of T fit, at compile time and for a runtime type (registration).
template <DType T, int R>
constexpr bool warp_norm_fits() {
  return warp_norm_max_rows<T>() >= R;
}
inline bool warp_norm_fits(DType t, int rows) {
  bool fits = false;
  dispatch_type(t, [&](auto c) { fits = warp_norm_max_rows<decltype(c)::value>() >= rows; });
  return fits;
}

// The shape rule the warp_norm variants add to their slot's: x must fit one block per lane.
inline std::optional<std::string> warp_norm_dim_ok(const Shape& s) {
  return require(s.cols <= kWarpNormMaxDim,
                 "cols (dim) must be at most " + std::to_string(kWarpNormMaxDim) +
                     ": a warp holds one 32-element block of x per lane");
}

// Op as in norm_matvec.cuh (units, row_bytes, row(unit, r), store(unit, sum[R]), optional
// read_early() and prepare(unit)).
template <DType T, int R, int U, class Op>
__global__ void __launch_bounds__(kMaxWarps * kWarpSize, 1)
    warp_norm_matvec_kernel(NormInput in, Op op_in) {
  static_assert(R * U <= warp_norm_max_rows<T>(), "rows must fit PreloadedRows' registers");
  sb_trace_start();  // SWAPBENCH_TRACE: the rows are fetched before the grid wait
  const int lane = static_cast<int>(threadIdx.x) & (kWarpSize - 1);
  const int warp = static_cast<int>(threadIdx.x) / kWarpSize;
  const int warps = static_cast<int>(blockDim.x) / kWarpSize;
  const int unit0 = (static_cast<int>(blockIdx.x) * warps + warp) * U;
  Op op = op_in;
  const bool active = unit0 < op.units;  // warp-uniform
  const int nb = in.dim / kQK;           // <= 32: lane l < nb owns block l

  // Before the wait: the rows (units past the end repeat the last, never stored), the norm
  // weight in the layout XShared reads (weights are never written by a kernel), and whatever
  // the op may read early. The norm weight goes through shared memory, at the price of a barrier
  // before the wait: held in registers across the wait instead (8 float4 per lane beside the
  // rows), smollm2 decoded 2% slower, and with each lane staging its own block (no barrier) 4%
  // slower (H200, sixteenth session).
  const uint8_t* rows[R * U];
#pragma unroll
  for (int u = 0; u < U; ++u)
#pragma unroll
    for (int r = 0; r < R; ++r) rows[u * R + r] = op.row(min(unit0 + u, op.units - 1), r);
  PreloadedRows<T, R * U, 1> pre{};  // zero blocks past nb: their dots are +0
  if (active) pre.load(rows, nb, lane);
  __shared__ __align__(16) float ws[kWarpNormMaxDim];
  stage_x(ws, in.weight, 0, in.dim);
  if constexpr (requires { op.read_early(); }) op.read_early();
  __syncthreads();
  sb_grid_wait();
  sb_grid_launch_dependents();
  if (!active) {
    sb_trace_warp_end();
    return;
  }

  // What lane u's store of unit u needs besides the sums (attn_in's rope angle), loaded now so
  // that its round trip overlaps x's and the dot.
  if constexpr (requires { op.prepare(0); }) op.prepare(unit0 + min(lane, U - 1));
  // Every lane loads, normalises and dots, with no branch around it (lanes past nb: x's last
  // block again, against the zero blocks `pre` holds there, so their squares are dropped and
  // their sums are +0, as warp_sum needs): under `if (lane < nb)` the norm weight's shared-memory
  // read waited for the scale, where now it overlaps x's round trip, and the rows' dots share one
  // stretch of code.
  const int b = min(lane, nb - 1);
  float xv[kQK];
  XGlobal{in.x}.load(b, b, xv);
  const float ss = lane < nb ? dot32(xv, xv) : 0.0f;  // four chains of 8: on the path to the dot
  float wv[kQK];
  XShared{ws}.load(b, b, wv);
  const float scale = cuda::rms_scale_of(warp_sum(ss), in.dim, in.eps);
#pragma unroll
  for (int i = 0; i < kQK; ++i) xv[i] = cuda::rms_apply(xv[i], scale, wv[i]);
  float acc[R * U];
#pragma unroll
  for (int k = 0; k < R * U; ++k) acc[k] = pre.w[0][k].accum(0.0f, xv);  // +0 past nb (zeros)
#pragma unroll
  for (int k = 0; k < R * U; ++k) acc[k] = warp_sum(acc[k]);
  sb_trace_warp_end();  // SWAPBENCH_TRACE: the warp's sums are done (the stores remain)

  // Every lane holds every sum (warp_sum leaves the same bits in all lanes): lane u stores unit u.
  float sum[R];
#pragma unroll
  for (int r = 0; r < R; ++r) sum[r] = acc[r];
#pragma unroll
  for (int u = 1; u < U; ++u)
#pragma unroll
    for (int r = 0; r < R; ++r) sum[r] = lane == u ? acc[u * R + r] : sum[r];
  if (lane < U && unit0 + lane < op.units) op.store(unit0 + lane, sum);
}

// Launches warp_norm_matvec_kernel over op.units units, `units_per_warp` of them per warp
// (rounded down to 1, 2 or 4 and to what T's registers hold) and `warps` warps per block.
// Requires in.dim <= kWarpNormMaxDim.
template <DType T, int R, class Op>
void launch_warp_norm_matvec(const NormInput& in, const Op& op, int64_t units_per_warp,
                             int64_t warps, const LaunchCtx& ctx, const char* what) {
  if (op.units <= 0) return;
  constexpr int kMaxUnits = warp_norm_max_rows<T>() / R;
  static_assert(kMaxUnits >= 1, "two rows of this type do not fit a lane's registers");
  const int w = static_cast<int>(std::clamp<int64_t>(warps, 1, kMaxWarps));
  dispatch_rows<kMaxUnits>(units_per_warp, [&](auto u) {
    constexpr int U = decltype(u)::value;
    const unsigned grid = static_cast<unsigned>((op.units + U * w - 1) / (U * w));
    launch_kernel(what, warp_norm_matvec_kernel<T, R, U, Op>, grid,
                  static_cast<unsigned>(w * kWarpSize), 0, ctx, in, op);
  });
}

// The whole launch of a warp_norm variant of pair op Op (two rows per unit), for the runtime
// type of its call: `pairs` and `warps` from the variant's parameters (warp_norm_params).
template <class Op>
void launch_warp_norm_pairs(DType type, const NormInput& in, const Op& op, const LaunchCtx& ctx,
                            const char* what) {
  dispatch_type(type, [&](auto t) {
    constexpr DType T = decltype(t)::value;
    if constexpr (warp_norm_fits<T, 2>())
      launch_warp_norm_matvec<T, 2>(in, op, ctx.param("pairs"), ctx.param("warps"), ctx, what);
    else
      throw std::invalid_argument(std::string(what) + ": no kernel for " + std::string(name(T)));
  });
}

// The parameters both warp_norm variants declare; `pair` names what one unit of two rows is.
inline std::vector<ParamSpec> warp_norm_params(const std::string& pair) {
  return {{.name = "pairs",
           .min = 1,
           .max = 4,
           .def = 2,
           .doc = pair + "s per warp (1, 2 or 4; fewer where the weight type's registers do not "
                         "hold them): x's read and the norm are shared by them"},
          {.name = "warps", .min = 1, .max = kMaxWarps, .def = 8, .doc = "warps per thread block"}};
}

}  // namespace swapbench::mv
