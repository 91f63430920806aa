// CPU variant of the `attn_in.<type>` slots: the rmsnorm, matvec and rope references in
// sequence. Saves nothing: the definition of correct. Bitwise by definition (it is the reference).
#include "kernels/attn_in/attn_in.h"
#include "kernels/common/traffic.h"
#include "kernels/matvec/matvec.h"
#include "variants/attn_in/shape_rules.h"

namespace swapbench::attn_in {
namespace {
void launch(const Args& a, const LaunchCtx&) { reference(a); }
}  // namespace

SB_ON_LOAD {
  for (DType t : matvec::kTypes) {
    register_variant<Args>(
        {.slot = matvec::slot_key("attn_in", t),
         .name = "cpu_ref",
         .backend = Backend::cpu,
         .equality = Equality::bitwise,
         .rationale = "The rmsnorm, matvec and rope CPU references in sequence: the reference. "
                      "In a decode the step makes those slot calls itself instead.",
         .applies = &shape_ok,
         .bytes = [t](const Shape& s) { return traffic::attn_in_bytes(t, s); },
         .flops = [](const Shape& s) { return traffic::attn_in_flops(s); }},
        &launch);
  }
}

}  // namespace swapbench::attn_in
