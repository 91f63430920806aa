// CPU variant of `rmsnorm`: the slot's reference loops, so the whole flow runs without a GPU.
// Saves nothing: it is the definition of correct that every other variant is checked against.
// Bitwise by definition (it is the reference).
#include "kernels/rmsnorm/rmsnorm.h"
#include "kernels/common/traffic.h"

namespace swapbench::rmsnorm {
namespace {
void launch(const Args& a, const LaunchCtx&) { reference(a); }
}  // namespace

SB_ON_LOAD {
  register_variant<Args>({.slot = "rmsnorm",
                          .name = "cpu_ref",
                          .backend = Backend::cpu,
                          .equality = Equality::bitwise,
                          .rationale = "Plain loops with double accumulators: the CPU reference.",
                          .bytes = [](const Shape& s) { return traffic::rmsnorm_bytes(s); },
                          .flops = [](const Shape& s) { return traffic::rmsnorm_flops(s); }},
                         &launch);
}

}  // namespace swapbench::rmsnorm
