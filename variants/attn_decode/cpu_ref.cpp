// CPU variant of `attn_decode`: the slot's reference loops, so the whole flow runs without a GPU.
// Saves nothing: it is the definition of correct that every other variant is checked against.
// Bitwise by definition (it is the reference).
#include "kernels/attn_decode/attn_decode.h"
#include "kernels/common/traffic.h"

namespace swapbench::attn_decode {
namespace {
void launch(const Args& a, const LaunchCtx&) { reference(a); }
}  // namespace

SB_ON_LOAD {
  register_variant<Args>({.slot = "attn_decode",
                          .name = "cpu_ref",
                          .backend = Backend::cpu,
                          .equality = Equality::bitwise,
                          .rationale = "Plain loops with double accumulators: the CPU reference.",
                          .bytes = [](const Shape& s) { return traffic::attn_bytes(s, double(s.max_ctx)); },
                          .flops = [](const Shape& s) { return traffic::attn_flops(s, double(s.max_ctx)); }},
                         &launch);
}

}  // namespace swapbench::attn_decode
