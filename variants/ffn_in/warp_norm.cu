// `ffn_in.warp_norm`: ffn_in.fused for a small model (dim <= 1024), with no shared x and no
// barrier after the grid wait. Each warp reads x itself (lane l: block l), sums the squares in the
// lane and across the warp, scales its 32 elements in registers by the norm weight staged before
// the wait, and dots `pairs` gate/up row pairs loaded into registers before the wait; lane u
// stores silu(gate) * up of pair u. Reassociates: the squares are summed lane block by lane
// block, not in rmsnorm.warp_shuffle's order (variants/matvec/warp_norm_matvec.cuh).
#include <stdexcept>
#include <string>

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
  mv::dispatch_type(a.type, [&](auto t) {
    constexpr DType T = decltype(t)::value;
    if constexpr (mv::warp_norm_fits<T, 2>())
      mv::launch_warp_norm_matvec<T, 2>(in, op, ctx.param("pairs"), ctx.param("warps"), ctx,
                                        "ffn_in.warp_norm");
    else
      throw std::invalid_argument("ffn_in.warp_norm: no kernel for " + std::string(name(T)));
  });
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
         .params = {{.name = "pairs",
                     .min = 1,
                     .max = 4,
                     .def = 2,
                     .doc =
                         "gate/up row pairs per warp (1, 2 or 4; fewer where the weight type's "
                         "registers do not hold them): x's read and the norm are shared by them"},
                    {.name = "warps",
                     .min = 1,
                     .max = mv::kMaxWarps,
                     .def = 8,
                     .doc = "warps per thread block"}},
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
