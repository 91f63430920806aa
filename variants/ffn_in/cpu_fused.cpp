// CPU `ffn_in` as ONE slot call: the norm's sum of squares in float, then the matvec_pair and
// swiglu references on scratch from the workspace.
// Saves the calls and the round trips between slots, and lets the decode step's fused path run
// and be tested on a machine without a GPU. Reassociates: the float sum of squares differs from
// the reference's double one in the last bits of xn.
#include <cmath>

#include "kernels/common/traffic.h"
#include "kernels/ffn_in/ffn_in.h"
#include "kernels/matvec/matvec.h"
#include "kernels/matvec_pair/matvec_pair.h"
#include "kernels/swiglu/swiglu.h"
#include "variants/ffn_in/shape_rules.h"

namespace swapbench::ffn_in {
namespace {

void launch(const Args& a, const LaunchCtx& ctx) {
  float* xn = static_cast<float*>(ctx.workspace);
  float* gate = xn + a.dim;
  float* up = gate + a.rows;
  float ss = 0.0f;
  for (int32_t i = 0; i < a.dim; ++i) ss += a.x[i] * a.x[i];
  const float scale = 1.0f / std::sqrt(ss / static_cast<float>(a.dim) + a.eps);
  for (int32_t i = 0; i < a.dim; ++i) xn[i] = a.x[i] * scale * a.norm[i];
  matvec_pair::reference({a.w_gate, a.w_up, xn, gate, up, a.rows, a.rows, a.dim, a.type});
  swiglu::reference({gate, up, a.act, a.rows});
}

}  // namespace

SB_ON_LOAD {
  for (DType t : matvec::kTypes) {
    register_variant<Args>(
        {.slot = matvec::slot_key("ffn_in", t),
         .name = "cpu_fused",
         .backend = Backend::cpu,
         .equality = Equality::reassociates,
         .rationale = "One call for norm, gate/up and swiglu, with the norm's sum of squares in "
                      "float: the step's fused path on the CPU. Reassociates the sum of squares.",
         .applies = &shape_ok,
         .bytes = [t](const Shape& s) { return traffic::ffn_in_bytes(t, s); },
         .flops = [](const Shape& s) { return traffic::ffn_in_flops(s); },
         .workspace_bytes =
             [](const Shape& s) { return size_t(s.cols + 2 * s.rows) * sizeof(float); }},
        &launch);
  }
}

}  // namespace swapbench::ffn_in
