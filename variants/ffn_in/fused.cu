// `ffn_in.<type>` in ONE launch: every block computes the rmsnorm scale and stages xn in shared
// memory; each warp dots row r of W_gate and row r of W_up together and lane 0 stores
// act[r] = silu(gate) * up with swiglu.elementwise's expression.
// Saves two launches per layer (norm, swiglu) and the gate and up vectors' round trip through
// memory. Reassociates against `unfused` (whose norm is rmsnorm.serial): xn is
// rmsnorm.warp_shuffle's (threads=256), so with `rmsnorm=warp_shuffle` in the plan the fused
// step is byte-identical to the unfused one (tested).
#include "kernels/common/traffic.h"
#include "kernels/ffn_in/ffn_in.h"
#include "kernels/matvec/matvec.h"
#include "variants/ffn_in/gate_up_swiglu_op.cuh"
#include "variants/ffn_in/shape_rules.h"
#include "variants/matvec/norm_matvec.cuh"

namespace swapbench::ffn_in {
namespace {

constexpr int kTile = 4096;  // floats of xn staged per tile: 16 KB of shared memory

void launch(const Args& a, const LaunchCtx& ctx) {
  const GateUpSwigluOp op = gate_up_swiglu_op(a);
  const mv::NormInput in{a.x, a.norm, a.eps, a.dim};
  mv::dispatch_type(a.type, [&](auto t) {
    mv::launch_norm_matvec<decltype(t)::value, 2, kTile>(in, op, ctx.param("warps"), ctx,
                                                         "ffn_in.fused");
  });
}

}  // namespace

SB_ON_LOAD {
  for (DType t : matvec::kTypes) {
    register_variant<Args>(
        {.slot = matvec::slot_key("ffn_in", t),
         .name = "fused",
         .backend = Backend::cuda,
         .equality = Equality::reassociates,
         .rationale = "rmsnorm, the gate and up matvecs and swiglu in one launch: each block "
                      "recomputes the norm scale and stages xn in 16 KB of shared memory, each "
                      "warp dots a gate row and its up row and lane 0 stores silu(gate) * up. "
                      "One launch instead of three, and gate and up never reach memory. xn is "
                      "rmsnorm.warp_shuffle's, so it reassociates against rmsnorm.serial only.",
         .params = {{.name = "warps",
                     .min = mv::kNormMinWarps,
                     .max = mv::kMaxWarps,
                     .def = 8,
                     .doc = "warps (gate/up row pairs) per thread block"}},
         .applies = &shape_ok,
         .bytes = [t](const Shape& s) { return traffic::ffn_in_bytes(t, s); },
         .flops = [](const Shape& s) { return traffic::ffn_in_flops(s); }},
        &launch);
  }
}

}  // namespace swapbench::ffn_in
