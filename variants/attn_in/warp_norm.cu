// `attn_in.warp_norm`: attn_in.fused for a small model (dim <= 1024), with no shared x and no
// barrier after the grid wait. Each warp reads x itself (lane l: block l), sums the squares in the
// lane and across the warp, scales its 32 elements in registers by the norm weight staged before
// the wait, and dots `pairs` rope pairs of rows loaded into registers before the wait; lane u
// rotates and stores pair u. The position is read before the wait too. Reassociates: the squares
// are summed lane block by lane block, not in rmsnorm.warp_shuffle's order
// (variants/matvec/warp_norm_matvec.cuh).
#include "kernels/attn_in/attn_in.h"
#include "kernels/common/traffic.h"
#include "kernels/matvec/matvec.h"
#include "variants/attn_in/qkv_rope_op.cuh"
#include "variants/attn_in/shape_rules.h"
#include "variants/matvec/warp_norm_matvec.cuh"

namespace swapbench::attn_in {
namespace {

void launch(const Args& a, const LaunchCtx& ctx) {
  const QkvRopeOp op = qkv_rope_op(a);
  const mv::NormInput in{a.x, a.norm, a.eps, a.dim};
  mv::launch_warp_norm_pairs(a.type, in, op, ctx, "attn_in.warp_norm");
}

}  // namespace

SB_ON_LOAD {
  for (DType t : matvec::kTypes) {
    if (!mv::warp_norm_fits(t, 2)) continue;
    register_variant<Args>(
        {.slot = matvec::slot_key("attn_in", t),
         .name = "warp_norm",
         .backend = Backend::cuda,
         .equality = Equality::reassociates,
         .rationale = "attn_in.fused without shared memory or a barrier after the grid wait, for "
                      "dim <= 1024: each warp reads x (a 32-element block per lane), sums its "
                      "squares itself, scales its elements in registers and dots rope pairs of "
                      "rows it loaded before the wait; the norm weight and the position are read "
                      "before the wait too. The norm sums in another order than "
                      "rmsnorm.warp_shuffle's, so it reassociates.",
         .params = mv::warp_norm_params("rope pair"),
         .applies =
             [](const Shape& s) {
               if (auto why = shape_ok(s)) return why;
               return mv::warp_norm_dim_ok(s);
             },
         .bytes = [t](const Shape& s) { return traffic::attn_in_bytes(t, s); },
         .flops = [](const Shape& s) { return traffic::attn_in_flops(s); }},
        &launch);
  }
}

}  // namespace swapbench::attn_in
