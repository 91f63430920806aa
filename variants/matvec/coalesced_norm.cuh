// The coalesced ring kernel (coalesced_kernels.cuh) behind the fused input slots that start with
// an rmsnorm (attn_in.coalesced, ffn_in.coalesced): an Io whose x is the normalised input and
// whose groups are pairs of rows handed to a fused variant's pair op.
//
// Every thread block computes the norm scale itself (as the `fused` variants do: the vector sits
// in L2), then quantizes xn = (x * scale) * weight, rounded as rmsnorm rounds it, into the
// kernel's shared 16-bit x; the weight copies of the ring are issued before the grid wait as in
// matvec.coalesced.
// The prologue after the wait is on the step's critical path, and its loads queue behind the
// ring's copies in flight (`swapbench timeline`'s prologue column: ~5 us for three round trips to
// L2 on llama-8b q8_0). So where one pass of quantize_x covers the row (dim <= 32 x threads:
// 4096 from 128 threads on), the norm weight is loaded into registers before the wait, x once
// after it, and the sum of squares, the scale and xn come from those registers: one round trip.
// The sum then runs in that pass's order, not rmsnorm.warp_shuffle's, so xn may differ from it
// in the last bit (the 16-bit rounding of xn is far coarser). Longer rows take rms_scale
// (warp_shuffle's order) and quantize_x, three round trips.
#pragma once

#include <cmath>
#include <optional>
#include <string>
#include <utility>

#include "kernels/common/rms_scale.cuh"
#include "kernels/matvec/matvec.h"
#include "variants/matvec/coalesced_family.cuh"

namespace swapbench::mvc {

// Threads that contribute to the sum of squares: rmsnorm.warp_shuffle's default.
constexpr int kNormThreads = 256;
// rms_scale's block_sum scratch: cuda::kMaxWarps floats.
constexpr size_t kNormScratchBytes = cuda::kMaxWarps * sizeof(float);
static_assert(kNormScratchBytes % 16 == 0, "the ring after the scratch must stay aligned");

// Four normalised elements: (x * scale) * weight each.
__device__ __forceinline__ float4 rms_apply4(float4 a, float scale, float4 b) {
  return float4{cuda::rms_apply(a.x, scale, b.x), cuda::rms_apply(a.y, scale, b.y),
                cuda::rms_apply(a.z, scale, b.z), cuda::rms_apply(a.w, scale, b.w)};
}

// Where x is read from: the read-only path (__ldg: x was written before this launch), or L2
// (__ldcg: x is written by this launch's other blocks, so a line in this SM's L1 may be stale:
// wo_ffn_in's second phase).
enum class XFrom { read_only, l2 };
template <XFrom F>
__device__ __forceinline__ float load_x(const float* x, int i) {
  if constexpr (F == XFrom::l2) return __ldcg(x + i);
  return __ldg(x + i);
}
template <XFrom F>
__device__ __forceinline__ float4 load_x4(const float* x, int e4) {
  if constexpr (F == XFrom::l2) return __ldcg(reinterpret_cast<const float4*>(x) + e4);
  return __ldg(reinterpret_cast<const float4*>(x) + e4);
}
// x's float4s as they are (load_one_pass's Load).
template <XFrom F>
struct XAs {
  const float* x;
  __device__ __forceinline__ float4 operator()(int e4) const { return load_x4<F>(x, e4); }
};

// xn as float4s, loaded from x and the weight.
template <XFrom F = XFrom::read_only>
struct XNormed {
  const float* x;
  const float4* __restrict__ w;
  float scale;
  __device__ __forceinline__ float4 operator()(int e4) const {
    return rms_apply4(load_x4<F>(x, e4), scale, __ldg(w + e4));
  }
};

// The norm weight's float4s of this thread in quantize_x's one pass (none where dim needs more).
struct NormWeight {
  float4 w[8];
};
__device__ __forceinline__ bool one_pass(int dim) {
  return dim / 4 <= 8 * static_cast<int>(blockDim.x);
}
__device__ __forceinline__ NormWeight load_norm_weight(const float* weight, int dim) {
  NormWeight p;
  const int n4 = dim / 4;
  load_pass(XPlain{weight}, 0, one_pass(dim) ? pass_rounds(n4, 0) : 0, n4, p.w);
  return p;
}

// xn = (x * scale) * weight with scale = rmsnorm's, quantized into xq, xs (XB bits), by every
// thread of the block. Where one pass of quantize_x covers the row (one_pass(dim)), from x's
// float4s already loaded (`l`, load_one_pass) and the weight's (`w`): the sum of squares in that
// pass's order, one round trip. Longer rows: rms_scale's order (rmsnorm.warp_shuffle's, over
// kNormThreads threads), then quantize_x. nb = dim / 32; `red`: kNormScratchBytes of shared
// memory.
template <int XB, XFrom F>
__device__ __forceinline__ void stage_normed(const float* x, const float* weight, float eps,
                                             int dim, int nb, const XLoaded& l,
                                             const NormWeight& w, float* red, uint32_t* xq,
                                             float2* xs) {
  const auto* w4 = reinterpret_cast<const float4*>(weight);
  if (!one_pass(dim)) {
    const int threads = min(kNormThreads, static_cast<int>(blockDim.x));
    float scale;
    if constexpr (F == XFrom::read_only) {
      scale = cuda::rms_scale(x, dim, eps, threads, red);
    } else {  // rms_scale's loop and order, x from L2
      const int tid = static_cast<int>(threadIdx.x);
      float ss = 0.0f;
      if (tid < threads) {
#pragma unroll 8
        for (int i = tid; i < dim; i += threads)
          ss = fmaf(load_x<F>(x, i), load_x<F>(x, i), ss);
      }
      scale = cuda::rms_scale_of(cuda::block_sum(ss, red), dim, eps);
    }
    quantize_x<XB>(XNormed<F>{x, w4, scale}, nb, xq, xs);
    return;
  }
  float ss = 0.0f;  // zeros past the row add nothing
#pragma unroll
  for (int k = 0; k < 8; ++k) {
    ss = fmaf(l.v[k].x, l.v[k].x, ss);
    ss = fmaf(l.v[k].y, l.v[k].y, ss);
    ss = fmaf(l.v[k].z, l.v[k].z, ss);
    ss = fmaf(l.v[k].w, l.v[k].w, ss);
  }
  const float scale = cuda::rms_scale_of(cuda::block_sum(ss, red), dim, eps);
  float4 v[8];
#pragma unroll
  for (int k = 0; k < 8; ++k) v[k] = rms_apply4(l.v[k], scale, w.w[k]);
  quantize_pass<XB>(v, 0, l.kn, dim / 4, xq, xs);
}

// Op (a fused variant's pair op, as norm_matvec.cuh takes it) provides:
//   int units;  uint64_t row_bytes;
//   __device__ const uint8_t* row(int unit, int r) const;            r < 2, unit < units
//   __device__ void store(int unit, const float (&sum)[2]) const;    called by lane 0
// and optionally (attn_in's QkvRopeOp) bool table_angle(int unit, float& c, float& s) const and
// store_with(unit, sum, have, c, s): the angle loaded before the wait, used at the store.
// Group g of the kernel is unit g: rows 2g, 2g + 1 are row(g, 0), row(g, 1).
template <class Op>
struct NormPairIo {
  static constexpr int kRows = 2;
  static constexpr size_t kScratchBytes = kNormScratchBytes;
  static constexpr bool kTwoPhase = false;
  const float* x;
  const float* weight;
  float eps;
  int dim;
  Op op;

  __device__ __forceinline__ const uint8_t* row(const Job&, int row) const {
    return op.row(row >> 1, row & 1);
  }
  using Pre = NormWeight;  // loaded before the wait: no kernel of the step writes it
  __device__ __forceinline__ Pre pre_wait(const Job&) const {
    return load_norm_weight(weight, dim);
  }
  __device__ __forceinline__ XLoaded load_x(const Job&) const {
    return load_one_pass(XPlain{x}, dim / 4);  // loads nothing unless one_pass(dim)
  }
  template <int XB>
  __device__ __forceinline__ void stage_x(const Job& j, const Pre& pre, const XLoaded& l,
                                          void* scratch, uint32_t* xq, float2* xs) const {
    stage_normed<XB, XFrom::read_only>(x, weight, eps, dim, j.nb, l, pre,
                                       static_cast<float*>(scratch), xq, xs);
  }
  // An op with a rope table (QkvRopeOp::table_angle): lanes 2k and 2k + 1 load the cosine and
  // sine of the warp's group g + k tw before the wait (k < 16), so that lane 0's store of each
  // group is four multiplies, not powf and sincosf after the sums. Other pair ops store without
  // reading anything older.
  static constexpr bool kTableAngles = requires(const Op& o, float& c) { o.table_angle(0, c, c); };
  static constexpr int kTableGroups = mv::kWarpSize / 2;
  template <int R>
  __device__ __forceinline__ float early(const Job&, int g, int tw, int lane) const {
    if constexpr (kTableAngles) {
      const int gk = g + (lane >> 1) * tw;
      float c = 1.0f, s = 0.0f;
      if (gk < op.units) op.table_angle(gk, c, s);
      return lane & 1 ? s : c;
    }
    return 0.0f;
  }
  __device__ __forceinline__ void store(const Job&, int g, int lane, const float (&sum)[2],
                                        int ordinal, float early) const {
    if constexpr (kTableAngles) {
      const int k = ordinal % kTableGroups;
      const float c = __shfl_sync(mv::kFullMask, early, 2 * k);
      const float s = __shfl_sync(mv::kFullMask, early, 2 * k + 1);
      if (lane == 0) op.store_with(g, sum, ordinal < kTableGroups, c, s);
    } else if (lane == 0) {
      op.store(g, sum);
    }
  }
};

// Warps per block when the caller leaves it to us (warps = 0). One block per SM runs and each
// warp takes groups w, w + W, ... (W = sms * warps), so when the groups fill a last round only in
// part, the SMs holding the first groups work on alone: 3072 pairs (llama-8b q/k/v) over 132 x 16
// warps leave 72 of 132 SMs idle for half of the launch. Takes the most warps (16 down to 8, which
// still keep enough bytes in flight per SM) whose last round is at least 90% full, else the
// fullest: 12 for llama-8b's q/k/v, 16 for its 14336 gate/up pairs (measured on the H200: 12
// warps beat 16 by 1% of tok/s on q/k/v; on gate/up 11, the fullest, lost 1-2% to 16).
inline int balanced_warps(int64_t groups, int sms) {
  constexpr double kFullEnough = 0.9;
  int best = kMaxWarps;
  double best_used = 0.0;
  for (int w = kMaxWarps; w >= 8; --w) {
    const double rounds = double(groups) / (double(sms) * w);  // rounds of groups, fractional
    const double used = rounds / std::ceil(rounds);            // share of the last round's slots
    if (used >= kFullEnough) return w;
    if (used > best_used) {
      best = w;
      best_used = used;
    }
  }
  return best;
}

// Launches the kernel over op.units row pairs of type T with xn from (x, weight, eps, dim);
// dim % 32 == 0 and the rows' byte length a multiple of 16 (mvc::applies). warps = 0:
// balanced_warps. XB: xn as 16-bit (coalesced) or 8-bit integers (coalesced_dp4a).
template <DType T, int XB, class Op>
void launch_norm_pairs(const float* x, const float* weight, float eps, int dim, const Op& op,
                       int64_t warps, const LaunchCtx& ctx, const char* what) {
  if (op.units <= 0) return;
  Job j{};
  j.rows1 = 2 * op.units;
  j.rows_total = 2 * op.units;
  j.nb = dim / 32;
  j.row_bytes = op.row_bytes;
  Tuning tu;
  tu.warps = warps > 0 ? warps : balanced_warps(op.units, device_limits().sms);
  tu.rows = 2;
  tu.pieces_before_wait = ctx.param("pieces_before_wait");
  launch_io<T, XB>(j, NormPairIo<Op>{x, weight, eps, dim, op}, tu, ctx, what);
}

// The same for the weight type `t` known at run time (q8_0, q4_0, q4_1).
template <int XB, class Op>
void launch_norm_pairs(DType t, const float* x, const float* weight, float eps, int dim,
                       const Op& op, int64_t warps, const LaunchCtx& ctx, const char* what) {
  dispatch_type(t, [&](auto tc) {
    launch_norm_pairs<decltype(tc)::value, XB>(x, weight, eps, dim, op, warps, ctx, what);
  });
}

// What a fused input slot's coalesced variant is besides its name, rationale and launch.
struct NormPairsSlot {
  const char* slot;  // slot keys are <slot>.<type> (matvec::slot_key): "attn_in", "ffn_in"
  const char* pair;  // what a row pair is, for the `warps` doc: "row pairs"
  std::optional<std::string> (*shape_ok)(const Shape&);  // the slot's own shape rule
  double (*bytes)(DType, const Shape&);
  double (*flops)(const Shape&);
};

// Registers `info` (its name and rationale; the rest is set here) for each of kTypes in the
// slot family: CUDA, reassociating, a `warps` parameter (0: balanced_warps) and
// pieces_before_wait, applies() = the slot's rule then the kernel's, and the slot's `fused` variant
// as the fallback.
template <class Args>
void register_norm_pairs(const NormPairsSlot& f, const VariantInfo& info,
                         void (*launcher)(const Args&, const LaunchCtx&)) {
  register_per_type(
      f.slot, info,
      [&f](VariantInfo& v, DType t) {
        v.params = {{.name = "warps",
                     .min = 0,
                     .max = kMaxWarps,
                     .def = 0,
                     .doc = std::string("warps (") + f.pair +
                            " in flight) per thread block; 0: the most of 16..8 that fill the "
                            "last round of pairs over one block per SM to 90% "
                            "(mvc::balanced_warps); fewer for small matrices"},
                    pieces_before_wait_param()};
        v.applies = [t, shape_ok = f.shape_ok](const Shape& s) -> std::optional<std::string> {
          if (auto why = shape_ok(s)) return why;
          return applies(t, s.cols);
        };
        v.bytes = [t, bytes = f.bytes](const Shape& s) { return bytes(t, s); };
        v.flops = f.flops;
        v.fallback = "fused";
      },
      launcher);
}

}  // namespace swapbench::mvc
