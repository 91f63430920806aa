// The kernel template behind the fused variants that start with an rmsnorm and go on with
// matvecs over its output (attn_in.fused, ffn_in.fused): one launch instead of a norm launch, the
// matvec launches and the launch of whatever follows them.
//
// Every thread block computes the norm scale itself (the vector is a few KB and sits in L2: each
// block re-reads it instead of waiting for another launch), stages xn = (x * scale) * weight
// tile by tile into the swizzled shared buffer of matvec_kernels.cuh, and each warp dots R rows
// with the matvec family's dot_blocks and warp_sum; lane 0 hands the R sums to the variant's
// epilogue. The scale comes from cuda::rms_scale with 256 contributing threads and the dots
// from the bitwise matvec family, so xn and every row sum have the bits of the unfused path
// with rmsnorm.warp_shuffle (threads=256) and any bitwise matvec variant.
#pragma once

#include "kernels/common/rms_scale.cuh"
#include "variants/matvec/matvec_kernels.cuh"

namespace swapbench::mv {

// Threads that contribute to the norm's sum of squares: rmsnorm.warp_shuffle's default, so a
// block needs at least this many threads (8 warps).
constexpr int kNormThreads = 256;
constexpr int kNormMinWarps = kNormThreads / kWarpSize;

struct NormInput {
  const float* x;
  const float* weight;
  float eps;
  int dim;  // a multiple of 32
};

// xn's float4 number i (x chunk a, norm weight chunk b) into its swizzled place in xs.
__device__ __forceinline__ void store_normed4(float* xs, int i, float4 a, float scale, float4 b) {
  const float4 v{cuda::rms_apply(a.x, scale, b.x), cuda::rms_apply(a.y, scale, b.y),
                 cuda::rms_apply(a.z, scale, b.z), cuda::rms_apply(a.w, scale, b.w)};
  reinterpret_cast<float4*>(xs)[swizzled_chunk(i)] = v;
}

// Stages xn[first, first + count) into the swizzled layout XShared reads; count % 32 == 0.
__device__ __forceinline__ void stage_normed_x(float* xs, const NormInput& in, float scale,
                                               int first, int count) {
  const float4* x = reinterpret_cast<const float4*>(in.x + first);
  const float4* w = reinterpret_cast<const float4*>(in.weight + first);
  for (int i = static_cast<int>(threadIdx.x); i < count / 4; i += static_cast<int>(blockDim.x))
    store_normed4(xs, i, __ldg(x + i), scale, __ldg(w + i));
}

// The norm weight's float4 of this thread for a one-pass stage (dim / 4 <= blockDim.x): a
// weight, so it is read before the grid wait, beside the rows (PreloadedRows).
__device__ __forceinline__ float4 norm_weight_early(const NormInput& in) {
  const int i = static_cast<int>(threadIdx.x);
  return i < in.dim / 4 ? __ldg(reinterpret_cast<const float4*>(in.weight) + i)
                        : make_float4(0, 0, 0, 0);
}

// stage_normed_x of the whole vector in one pass, the norm weight already loaded (nw): the same
// elements, products and stores, without the weight's round trip after the wait.
__device__ __forceinline__ void stage_normed_x_one_pass(float* xs, const NormInput& in,
                                                        float scale, float4 nw) {
  const int i = static_cast<int>(threadIdx.x);
  if (i < in.dim / 4)
    store_normed4(xs, i, __ldg(reinterpret_cast<const float4*>(in.x) + i), scale, nw);
}

// Op (the variant's part) provides:
//   int units;                                      warp units (groups of R rows)
//   uint64_t row_bytes;                             bytes of one weight row
//   __device__ const uint8_t* row(int unit, int r) const;   row r of a unit (in bounds)
//   __device__ void store(int unit, const float (&sum)[R]) const;  called by lane 0
//   optionally __device__ void read_early();       step inputs read before the grid wait
//   optionally __device__ void prepare(int unit);  loads for unit's store that need no sum, by
//                                                   the storing thread right after the wait
template <DType T, int R, int TILE, class Op>
__global__ void __launch_bounds__(kMaxWarps * kWarpSize, 1)
    norm_matvec_kernel(NormInput in, Op op_in) {
  static_assert(TILE % (kQK * kWarpSize) == 0, "tiles must start on 32-block boundaries");
  sb_trace_start();  // SWAPBENCH_TRACE: the rows are fetched before the grid wait
  const int lane = static_cast<int>(threadIdx.x) & (kWarpSize - 1);
  const int warp = static_cast<int>(threadIdx.x) / kWarpSize;
  const int warps = static_cast<int>(blockDim.x) / kWarpSize;
  const int unit = static_cast<int>(blockIdx.x) * warps + warp;
  Op op = op_in;
  if constexpr (requires { op.read_early(); }) op.read_early();  // step inputs, before the wait
  const bool active = unit < op.units;  // warp-uniform
  const uint8_t* rows[R];
#pragma unroll
  for (int r = 0; r < R; ++r) rows[r] = op.row(active ? unit : op.units - 1, r);
  // Weights are never written by a kernel: read short rows into registers, start longer ones'
  // trip to L2, before waiting (launch.cuh, PreloadedRows).
  using Pre = PreloadedRows<T, R, preload_steps<T, R>()>;
  const int nb = in.dim / kQK;
  const bool preload = Pre::fits(nb, TILE / kQK);  // grid-uniform
  Pre pre;
  if (active) fetch_rows_early(pre, preload, rows, nb, op.row_bytes, lane);
  const bool one_pass = preload && in.dim / 4 <= static_cast<int>(blockDim.x);  // grid-uniform
  const float4 nw = one_pass ? norm_weight_early(in) : make_float4(0, 0, 0, 0);
  sb_grid_wait();
  sb_grid_launch_dependents();
  if constexpr (requires { op.prepare(0); }) op.prepare(unit);  // lane 0 stores unit

  __shared__ float scratch[cuda::kMaxWarps];
  const float scale = cuda::rms_scale(in.x, in.dim, in.eps, kNormThreads, scratch);
  __shared__ __align__(16) float xs[TILE];
  constexpr int kTileBlocks = TILE / kQK;
  float acc[R];
#pragma unroll
  for (int r = 0; r < R; ++r) acc[r] = 0.0f;
  if (preload) {  // one tile
    if (one_pass) stage_normed_x_one_pass(xs, in, scale, nw);
    else stage_normed_x(xs, in, scale, 0, nb * kQK);
    __syncthreads();
    sb_trace_ready();  // SWAPBENCH_TRACE: xn is staged, the dot is next
    if (active) pre.dot(XShared{xs}, nb, lane, acc);
  }
  for (int first = 0; !preload && first < nb; first += kTileBlocks) {
    const int count = min(kTileBlocks, nb - first);
    if (first > 0) __syncthreads();  // every warp is done with the previous tile
    stage_normed_x(xs, in, scale, first * kQK, count * kQK);
    __syncthreads();
    if (active) dot_blocks<T, R>(rows, XShared{xs}, first, count, lane, acc);
  }
  if (!active) {
    sb_trace_warp_end();
    return;
  }
#pragma unroll
  for (int r = 0; r < R; ++r) acc[r] = warp_sum(acc[r]);
  sb_trace_warp_end();  // SWAPBENCH_TRACE: the warp's sums are done (the stores remain)
  if (lane == 0) op.store(unit, acc);
}

// Launches norm_matvec_kernel over op.units units with `warps` warps per block (at least
// kNormMinWarps, at most kMaxWarps).
template <DType T, int R, int TILE, class Op>
void launch_norm_matvec(const NormInput& in, const Op& op, int64_t warps, const LaunchCtx& ctx,
                        const char* what) {
  if (op.units <= 0) return;
  const int w = static_cast<int>(std::clamp<int64_t>(warps, kNormMinWarps, kMaxWarps));
  const unsigned grid = static_cast<unsigned>((op.units + w - 1) / w);
  launch_kernel(what, norm_matvec_kernel<T, R, TILE, Op>, grid,
                static_cast<unsigned>(w * kWarpSize), 0, ctx, in, op);
}

}  // namespace swapbench::mv
