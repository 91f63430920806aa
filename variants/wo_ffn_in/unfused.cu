// CUDA reference of `wo_ffn_in.<type>`: the CUDA references of matvec_residual (wo, in place on
// x) and ffn_in (itself rmsnorm, matvec_pair and swiglu) launched in sequence, ffn_in's scratch
// in this call's workspace.
// Saves nothing on purpose: the launches a fused variant is measured against. In a decode the
// step does not launch this: it makes the slot calls itself, each as the plan says.
// Bitwise by definition (it is the CUDA reference).
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

void launch(const Args& a, const LaunchCtx& ctx) {
  launch_reference(matvec::slot_key("matvec_residual", a.type), Backend::cuda,
                   matvec_residual::Args{a.wo, a.att, a.x, a.x, a.dim, a.dim, a.type}, ctx);
  const Variant& ffn = reference_variant(matvec::slot_key("ffn_in", a.type), Backend::cuda);
  const Params params = default_params(ffn.info);
  ffn.launch(ffn_in::Args{a.x, a.norm, a.eps, a.w_gate, a.w_up, a.act, a.rows, a.dim, a.type},
             LaunchCtx{ctx.stream, ctx.workspace, &params, ctx.pdl});
}

}  // namespace

SB_ON_LOAD {
  for (DType t : matvec::kTypes) {
    register_variant<Args>(
        {.slot = matvec::slot_key("wo_ffn_in", t),
         .name = "unfused",
         .backend = Backend::cuda,
         .equality = Equality::bitwise,
         .rationale = "matvec_residual.lane0 and ffn_in.unfused in sequence: the launches of the "
                      "unfused step, the CUDA reference.",
         .applies = &shape_ok,
         .bytes = [t](const Shape& s) { return traffic::wo_ffn_in_bytes(t, s); },
         .flops = [](const Shape& s) { return traffic::wo_ffn_in_flops(s); },
         // ffn_in.unfused's scratch: xn, gate, up
         .workspace_bytes =
             [](const Shape& s) {
               return size_t(float4_padded(s.cols) + 2 * float4_padded(s.rows)) * sizeof(float);
             }},
        &launch);
  }
}

}  // namespace swapbench::wo_ffn_in
