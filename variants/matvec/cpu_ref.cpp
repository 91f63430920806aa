// CPU variant of the `matvec.<type>` slots: the reference loops, so everything runs without a GPU.
// Saves nothing: it is the definition of correct that every other variant is checked against.
// Bitwise by definition (it is the reference).
#include "kernels/common/traffic.h"
#include "kernels/matvec/matvec.h"
#include "kernels/matvec/matvec.h"

namespace swapbench::matvec {
namespace {
void launch(const Args& a, const LaunchCtx&) { reference(a); }
}  // namespace

SB_ON_LOAD {
  for (DType t : matvec::kTypes) {
    register_variant<Args>(
        {.slot = matvec::slot_key("matvec", t),
         .name = "cpu_ref",
         .backend = Backend::cpu,
         .equality = Equality::bitwise,
         .rationale = "Dequantizes each 32-element block and accumulates in double: the reference.",
         .bytes = [t](const Shape& s) { return traffic::matvec_bytes(t, s, false); },
         .flops = [](const Shape& s) { return traffic::matvec_flops(s); }},
        &launch);
  }
}

}  // namespace swapbench::matvec
