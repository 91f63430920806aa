// CPU variant of `swiglu`: the slot's reference loops, so the whole flow runs without a GPU.
// Saves nothing: it is the definition of correct that every other variant is checked against.
// Bitwise by definition (it is the reference).
#include "kernels/swiglu/swiglu.h"
#include "kernels/common/traffic.h"

namespace swapbench::swiglu {
namespace {
void launch(const Args& a, const LaunchCtx&) { reference(a); }
}  // namespace

SB_ON_LOAD {
  register_variant<Args>({.slot = "swiglu",
                          .name = "cpu_ref",
                          .backend = Backend::cpu,
                          .equality = Equality::bitwise,
                          .rationale = "Plain loops with double accumulators: the CPU reference.",
                          .bytes = [](const Shape& s) { return traffic::swiglu_bytes(s); },
                          .flops = [](const Shape& s) { return traffic::swiglu_flops(s); }},
                         &launch);
}

}  // namespace swapbench::swiglu
