// CPU variant of `embed`: the slot's reference, so the whole flow runs without a GPU.
// Saves nothing: it is the definition of correct that every other variant is checked against.
// Bitwise by definition (it is the reference).
#include "kernels/common/traffic.h"
#include "kernels/embed/embed.h"

namespace swapbench::embed {
namespace {
void launch(const Args& a, const LaunchCtx&) { reference(a); }
}  // namespace

SB_ON_LOAD {
  // The embedding table's type varies by model; bytes are counted for q8_0, the common case.
  register_variant<Args>(
      {.slot = "embed",
       .name = "cpu_ref",
       .backend = Backend::cpu,
       .equality = Equality::bitwise,
       .rationale = "Dequantizes the token's row with the CPU quant helpers: the reference.",
       .bytes = [](const Shape& s) { return traffic::embed_bytes(DType::q8_0, s); }},
      &launch);
}

}  // namespace swapbench::embed
