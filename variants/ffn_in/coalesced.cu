// `ffn_in.<type>` (q8_0, q4_0, q4_1; rows of a multiple of 16 bytes) in ONE launch on
// matvec.coalesced's cp.async ring kernel (coalesced_kernels.cuh, coalesced_norm.cuh): every
// block computes the rmsnorm scale and quantizes xn to 16-bit integers in shared memory, each
// warp streams row r of W_gate and row r of W_up together through its ring and lane 0 stores
// act[r] = silu(gate) * up with swiglu.elementwise's expression.
// Saves ffn_in.fused's strided weight loads (~52% of HBM bandwidth on 14336x4096) for the
// copies of matvec_pair.coalesced (~70-90%), keeping fused's single launch: gate and up never
// reach memory, and the rmsnorm and swiglu launches are gone.
// Not bit-identical: xn is rounded to 16 bits per 32-block (NMSE <= 7.5e-9) and the row sums
// are integer and reassociated, as matvec.coalesced.
#include "kernels/common/traffic.h"
#include "kernels/ffn_in/ffn_in.h"
#include "kernels/matvec/matvec.h"
#include "variants/ffn_in/gate_up_swiglu_op.cuh"
#include "variants/ffn_in/shape_rules.h"
#include "variants/matvec/coalesced_norm.cuh"

namespace swapbench::ffn_in {
namespace {

void launch(const Args& a, const LaunchCtx& ctx) {
  const GateUpSwigluOp op = gate_up_swiglu_op(a);
  mvc::dispatch_type(a.type, [&](auto t) {
    mvc::launch_norm_pairs<decltype(t)::value>(a.x, a.norm, a.eps, a.dim, op, ctx.param("warps"),
                                               ctx, "ffn_in.coalesced");
  });
}

std::optional<std::string> applies(DType t, const Shape& s) {
  if (auto why = shape_ok(s)) return why;
  return mvc::applies(t, s.cols);
}

}  // namespace

SB_ON_LOAD {
  for (DType t : mvc::kTypes) {
    register_variant<Args>(
        {.slot = matvec::slot_key("ffn_in", t),
         .name = "coalesced",
         .backend = Backend::cuda,
         .equality = Equality::reassociates,
         .rationale = "rmsnorm, the gate and up matvecs and swiglu in one launch of "
                      "matvec.coalesced's kernel: each block recomputes the norm scale and "
                      "quantizes xn to 16-bit integers per 32-block in shared memory, each warp "
                      "streams a gate row and its up row with lane-consecutive 16-byte cp.async "
                      "copies into a shared ring (copies start before griddepcontrol.wait) and "
                      "dots them with two __dp4a per weight word; lane 0 stores silu(gate) * up. "
                      "fused's one launch at coalesced's bandwidth; xn rounding (NMSE <= 7.5e-9) "
                      "and integer/reassociated sums make it not bitwise.",
         .params = {{.name = "warps",
                     .min = 0,
                     .max = mvc::kMaxWarps,
                     .def = 0,
                     .doc = "warps (gate/up row pairs in flight) per thread block; 0: the most of "
                            "16..8 that "
                            "fill the last round of pairs over one block per SM to 90% "
                            "(mvc::balanced_warps); fewer for small matrices"}},
         .applies = [t](const Shape& s) { return applies(t, s); },
         .bytes = [t](const Shape& s) { return traffic::ffn_in_bytes(t, s); },
         .flops = [](const Shape& s) { return traffic::ffn_in_flops(s); },
         .fallback = "fused"},
        &launch);
  }
}

}  // namespace swapbench::ffn_in
