// CPU `wo_ffn_in` as ONE slot call: the matvec_residual reference and ffn_in's CPU variant
// `cpu_fused` in sequence. Lets the decode step's fused path (one call where the plan had two)
// run and be tested on a machine without a GPU. Reassociates as ffn_in.cpu_fused does (the norm's
// sum of squares in float).
#include "kernels/common/traffic.h"
#include "kernels/ffn_in/ffn_in.h"
#include "kernels/matvec/matvec.h"
#include "kernels/matvec_residual/matvec_residual.h"
#include "kernels/wo_ffn_in/wo_ffn_in.h"
#include "variants/ffn_in/shape_rules.h"

namespace swapbench::wo_ffn_in {

// The same shape as ffn_in's (rows, rows2 = the FFN's, cols = dim): the same rule.
using ffn_in::shape_ok;
namespace {

// The FFN half: ffn_in.cpu_fused of the type, looked up at call time, not at registration (the
// order of registration across files is not fixed).
const Variant& ffn_half(DType t) {
  const Variant* ffn = Registry::instance().find(matvec::slot_key("ffn_in", t), "cpu_fused");
  if (!ffn) throw std::logic_error("wo_ffn_in.cpu_fused: ffn_in.cpu_fused is not registered");
  return *ffn;
}

void launch(const Args& a, const LaunchCtx& ctx) {
  matvec_residual::reference({a.wo, a.att, a.x, a.x, a.dim, a.dim, a.type});
  const Params none;
  ffn_half(a.type).launch(
      ffn_in::Args{a.x, a.norm, a.eps, a.w_gate, a.w_up, a.act, a.rows, a.dim, a.type},
      LaunchCtx{ctx.stream, ctx.workspace, &none});
}

}  // namespace

SB_ON_LOAD {
  for (DType t : matvec::kTypes) {
    register_variant<Args>(
        {.slot = matvec::slot_key("wo_ffn_in", t),
         .name = "cpu_fused",
         .backend = Backend::cpu,
         .equality = Equality::reassociates,
         .rationale = "One call for wo's residual add and the FFN input (ffn_in.cpu_fused): the "
                      "step's fused path on the CPU. Reassociates the norm's sum of squares.",
         .applies = &shape_ok,
         .bytes = [t](const Shape& s) { return traffic::wo_ffn_in_bytes(t, s); },
         .flops = [](const Shape& s) { return traffic::wo_ffn_in_flops(s); },
         // The scratch is the FFN half's (wo's residual add needs none), at the same shape.
         .workspace_bytes = [t](const Shape& s) { return ffn_half(t).info.workspace_bytes(s); }},
        &launch);
  }
}

}  // namespace swapbench::wo_ffn_in
