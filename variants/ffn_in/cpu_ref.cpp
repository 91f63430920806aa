// CPU variant of the `ffn_in.<type>` slots: the rmsnorm, matvec_pair and swiglu references in
// sequence. Saves nothing: the definition of correct. Bitwise by definition (it is the reference).
#include "kernels/common/traffic.h"
#include "kernels/ffn_in/ffn_in.h"
#include "kernels/matvec/matvec.h"
#include "variants/ffn_in/shape_rules.h"

namespace swapbench::ffn_in {
namespace {
void launch(const Args& a, const LaunchCtx&) { reference(a); }
}  // namespace

SB_ON_LOAD {
  for (DType t : matvec::kTypes) {
    register_variant<Args>(
        {.slot = matvec::slot_key("ffn_in", t),
         .name = "cpu_ref",
         .backend = Backend::cpu,
         .equality = Equality::bitwise,
         .rationale = "The rmsnorm, matvec_pair and swiglu CPU references in sequence: the "
                      "reference. In a decode the step makes those slot calls itself instead.",
         .applies = &shape_ok,
         .bytes = [t](const Shape& s) { return traffic::ffn_in_bytes(t, s); },
         .flops = [](const Shape& s) { return traffic::ffn_in_flops(s); }},
        &launch);
  }
}

}  // namespace swapbench::ffn_in
