// `ffn_in.warp_norm`: ffn_in.fused for a small model (dim <= 1024), with no shared x and no
// barrier after the grid wait. Each warp reads x itself (lane l: block l), sums the squares in the
// lane and across the warp, scales its 32 elements in registers by the norm weight staged before
// the wait, and dots `pairs` gate/up row pairs loaded into registers before the wait; lane u
// stores silu(gate) * up of pair u. Reassociates: the squares are summed lane block by lane
// block, not in rmsnorm.warp_shuffle's order (variants/matvec/warp_norm_matvec.cuh).
#include "kernels/common/traffic.h"
#include "kernels/ffn_in/ffn_in.h"
#include "kernels/matvec/matvec.h"
#include "variants/ffn_in/gate_up_swiglu_op.cuh"
#include "variants/ffn_in/shape_rules.h"
#include "variants/matvec/warp_norm_matvec.cuh"

namespace swapbench::ffn_in {
namespace {

void launch(const Args& a, const LaunchCtx& ctx) {
  const GateUpSwigluOp op = gate_up_swiglu_op(a);
  const mv::NormInput in{a.x, a.norm, a.eps, a.dim};
  mv::launch_warp_norm_pairs(a.type, in, op, ctx, "ffn_in.warp_norm");
}

}  // namespace

SB_ON_LOAD {
  for (DType t : matvec::kTypes) {
    if (!mv::warp_norm_fits(t, 2)) continue;
    register_variant<Args>(
        {.slot = matvec::slot_key("ffn_in", t),
         .name = "warp_norm",
         .backend = Backend::cuda,
         .equality = Equality::reassociates,
         .rationale = "ffn_in.fused without shared memory or a barrier after the grid wait, for "
                      "dim <= 1024: each warp reads x (a 32-element block per lane), sums its "
                      "squares itself, scales its elements in registers and dots gate/up row "
                      "pairs it loaded before the wait; lane u stores pair u's silu(gate) * up. "
                      "The norm sums in another order than rmsnorm.warp_shuffle's, so it "
                      "reassociates.",
         .params = mv::warp_norm_params("gate/up row pair"),
         .applies =
             [](const Shape& s) {
               if (auto why = shape_ok(s)) return why;
               return mv::warp_norm_dim_ok(s);
             },
         .bytes = [t](const Shape& s) { return traffic::ffn_in_bytes(t, s); },
         .flops = [](const Shape& s) { return traffic::ffn_in_flops(s); }},
        &launch);
  }
}

}  // namespace swapbench::ffn_in
