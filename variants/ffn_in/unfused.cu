// CUDA reference of `ffn_in.<type>`: the CUDA references of rmsnorm, matvec_pair and swiglu
// launched in sequence, with xn, gate and up in the workspace.
// Saves nothing on purpose: the launches a fused variant is measured against. In a decode the
// step does not launch this: it makes the slot calls itself, each as the plan says.
// Bitwise by definition (it is the CUDA reference).
#include "kernels/common/traffic.h"
#include "kernels/ffn_in/ffn_in.h"
#include "kernels/matvec/matvec.h"
#include "kernels/matvec_pair/matvec_pair.h"
#include "kernels/rmsnorm/rmsnorm.h"
#include "kernels/swiglu/swiglu.h"
#include "variants/ffn_in/shape_rules.h"

namespace swapbench::ffn_in {
namespace {

void launch(const Args& a, const LaunchCtx& ctx) {
  float* xn = static_cast<float*>(ctx.workspace);
  float* gate = xn + float4_padded(a.dim);
  float* up = gate + float4_padded(a.rows);
  launch_reference("rmsnorm", Backend::cuda, rmsnorm::Args{a.x, a.norm, xn, a.dim, a.eps}, ctx);
  launch_reference(matvec::slot_key("matvec_pair", a.type), Backend::cuda,
                   matvec_pair::Args{a.w_gate, a.w_up, xn, gate, up, a.rows, a.rows, a.dim, a.type},
                   ctx);
  launch_reference("swiglu", Backend::cuda, swiglu::Args{gate, up, a.act, a.rows}, ctx);
}

}  // namespace

SB_ON_LOAD {
  for (DType t : matvec::kTypes) {
    register_variant<Args>(
        {.slot = matvec::slot_key("ffn_in", t),
         .name = "unfused",
         .backend = Backend::cuda,
         .equality = Equality::bitwise,
         .rationale = "rmsnorm.serial, matvec_pair.separate and swiglu.elementwise in sequence: "
                      "the launches of the unfused step, the CUDA reference.",
         .applies = &shape_ok,
         .bytes = [t](const Shape& s) { return traffic::ffn_in_bytes(t, s); },
         .flops = [](const Shape& s) { return traffic::ffn_in_flops(s); },
         .workspace_bytes =
             [](const Shape& s) {
               return size_t(float4_padded(s.cols) + 2 * float4_padded(s.rows)) * sizeof(float);
             }},
        &launch);
  }
}

}  // namespace swapbench::ffn_in
