// CPU variant of the `wo_ffn_in.<type>` slots: the matvec_residual and ffn_in references in
// sequence. Saves nothing: the definition of correct. Bitwise by definition (it is the reference).
#include "kernels/common/traffic.h"
#include "kernels/matvec/matvec.h"
#include "kernels/wo_ffn_in/wo_ffn_in.h"
#include "variants/ffn_in/shape_rules.h"

namespace swapbench::wo_ffn_in {

// The same shape as ffn_in's (rows, rows2 = the FFN's, cols = dim): the same rule.
using ffn_in::shape_ok;
namespace {
void launch(const Args& a, const LaunchCtx&) { reference(a); }
}  // namespace

SB_ON_LOAD {
  for (DType t : matvec::kTypes) {
    register_variant<Args>(
        {.slot = matvec::slot_key("wo_ffn_in", t),
         .name = "cpu_ref",
         .backend = Backend::cpu,
         .equality = Equality::bitwise,
         .rationale = "The matvec_residual and ffn_in CPU references in sequence: the reference. "
                      "In a decode the step makes those slot calls itself instead.",
         .applies = &shape_ok,
         .bytes = [t](const Shape& s) { return traffic::wo_ffn_in_bytes(t, s); },
         .flops = [](const Shape& s) { return traffic::wo_ffn_in_flops(s); }},
        &launch);
  }
}

}  // namespace swapbench::wo_ffn_in
