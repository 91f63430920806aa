// `attn_in.<type>` in ONE launch: every block computes the rmsnorm scale, stages xn in shared
// memory, and each warp dots one rope pair of rows (two adjacent rows of Wq, Wk or Wv); lane 0
// rotates the pair and stores it in q or the k cache, or stores the v pair in the v cache.
// Saves four launches per layer (norm, two of the three matvecs' worth, rope) and the xn, k and
// v round trips through memory; in a small model the step is launch-latency bound, so that is
// most of the attention side's time. Reassociates against `unfused` (whose norm is
// rmsnorm.serial): xn is rmsnorm.warp_shuffle's (threads=256), so with `rmsnorm=warp_shuffle`
// in the plan the fused step is byte-identical to the unfused one (tested).
#include "kernels/attn_in/attn_in.h"
#include "kernels/common/rope.cuh"
#include "kernels/common/traffic.h"
#include "kernels/matvec/matvec.h"
#include "variants/attn_in/shape_rules.h"
#include "variants/matvec/norm_matvec.cuh"

namespace swapbench::attn_in {
namespace {

constexpr int kTile = 4096;  // floats of xn staged per tile: 16 KB of shared memory

// Unit u = rows 2u and 2u + 1 of [Wq; Wk; Wv]: a rope pair (head_dim is even, so a pair never
// straddles two heads or two matrices).
struct QkvRopeOp {
  const uint8_t *wq, *wk, *wv;
  float *q, *k_cache, *v_cache;
  const int32_t* pos;
  int q_rows, kv_rows, head_dim, rot_dim;
  float freq_base;
  int units;
  uint64_t row_bytes;

  __device__ const uint8_t* row(int unit, int r) const {
    const int g = 2 * unit + r;
    if (g < q_rows) return wq + uint64_t(g) * row_bytes;
    if (g < q_rows + kv_rows) return wk + uint64_t(g - q_rows) * row_bytes;
    return wv + uint64_t(g - q_rows - kv_rows) * row_bytes;
  }
  __device__ void store(int unit, const float (&sum)[2]) const {
    const int g = 2 * unit;
    const int32_t p = *pos;
    const float fpos = static_cast<float>(p);
    if (g < q_rows) {
      cuda::rope_rotate_pair(sum[0], sum[1], q + g, g % head_dim, rot_dim, fpos, freq_base);
      return;
    }
    const int64_t row = int64_t(p) * kv_rows;
    if (g < q_rows + kv_rows) {
      const int kr = g - q_rows;
      cuda::rope_rotate_pair(sum[0], sum[1], k_cache + row + kr, kr % head_dim, rot_dim, fpos,
                             freq_base);
      return;
    }
    const int vr = g - q_rows - kv_rows;
    v_cache[row + vr] = sum[0];
    v_cache[row + vr + 1] = sum[1];
  }
};

void launch(const Args& a, const LaunchCtx& ctx) {
  const int q_rows = a.heads * a.head_dim, kv_rows = a.kv_heads * a.head_dim;
  const QkvRopeOp op{static_cast<const uint8_t*>(a.wq),
                     static_cast<const uint8_t*>(a.wk),
                     static_cast<const uint8_t*>(a.wv),
                     a.q,
                     a.k_cache,
                     a.v_cache,
                     a.pos,
                     q_rows,
                     kv_rows,
                     a.head_dim,
                     a.rot_dim,
                     a.freq_base,
                     (q_rows + 2 * kv_rows) / 2,
                     row_bytes(a.type, static_cast<uint64_t>(a.dim))};
  const mv::NormInput in{a.x, a.norm, a.eps, a.dim};
  mv::dispatch_type(a.type, [&](auto t) {
    mv::launch_norm_matvec<decltype(t)::value, 2, kTile>(in, op, ctx.param("warps"), ctx,
                                                         "attn_in.fused");
  });
}

}  // namespace

SB_ON_LOAD {
  for (DType t : matvec::kTypes) {
    register_variant<Args>(
        {.slot = matvec::slot_key("attn_in", t),
         .name = "fused",
         .backend = Backend::cuda,
         .equality = Equality::reassociates,
         .rationale = "rmsnorm, the Q, K and V matvecs, rope and the KV-cache write in one "
                      "launch: each block recomputes the norm scale and stages xn in 16 KB of "
                      "shared memory, each warp dots a rope pair of rows and lane 0 rotates and "
                      "stores it. One launch instead of five. xn is rmsnorm.warp_shuffle's, so it "
                      "reassociates against the reference's rmsnorm.serial only.",
         .params = {{.name = "warps", .min = mv::kNormMinWarps, .max = mv::kMaxWarps, .def = 8,
                     .doc = "warps (row pairs) per thread block"}},
         .applies = &shape_ok,
         .bytes = [t](const Shape& s) { return traffic::attn_in_bytes(t, s); },
         .flops = [](const Shape& s) { return traffic::attn_in_flops(s); }},
        &launch);
  }
}

}  // namespace swapbench::attn_in
