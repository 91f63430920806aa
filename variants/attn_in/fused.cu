// `attn_in.<type>` in ONE launch: every block computes the rmsnorm scale, stages xn in shared
// memory, and each warp dots one rope pair of rows (two adjacent rows of Wq, Wk or Wv); lane 0
// rotates the pair and stores it in q or the k cache, or stores the v pair in the v cache.
// Saves four launches per layer (norm, two of the three matvecs' worth, rope) and the xn, k and
// v round trips through memory; in a small model the step is launch-latency bound, so that is
// most of the attention side's time. Reassociates against `unfused` (whose norm is
// rmsnorm.serial): xn is rmsnorm.warp_shuffle's (threads=256), so with `rmsnorm=warp_shuffle`
// in the plan the fused step is byte-identical to the unfused one (tested).
#include "kernels/attn_in/attn_in.h"
#include "kernels/common/traffic.h"
#include "kernels/matvec/matvec.h"
#include "variants/attn_in/qkv_rope_op.cuh"
#include "variants/attn_in/shape_rules.h"
#include "variants/matvec/norm_matvec.cuh"

namespace swapbench::attn_in {
namespace {

constexpr int kTile = 4096;  // floats of xn staged per tile: 16 KB of shared memory

void launch(const Args& a, const LaunchCtx& ctx) {
  const QkvRopeOp op = qkv_rope_op(a);
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
         .params = {{.name = "warps",
                     .min = mv::kNormMinWarps,
                     .max = mv::kMaxWarps,
                     .def = 8,
                     .doc = "warps (row pairs) per thread block"}},
         .applies = &shape_ok,
         .bytes = [t](const Shape& s) { return traffic::attn_in_bytes(t, s); },
         .flops = [](const Shape& s) { return traffic::attn_in_flops(s); }},
        &launch);
  }
}

}  // namespace swapbench::attn_in
