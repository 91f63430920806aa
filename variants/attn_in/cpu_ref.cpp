// CPU variant of the `attn_in.<type>` slots: the rmsnorm, matvec and rope references in
// sequence. Saves nothing: the definition of correct. Bitwise by definition (it is the reference).
#include "kernels/attn_in/attn_in.h"
#include "kernels/common/traffic.h"
#include "variants/attn_in/shape_rules.h"
#include "variants/matvec/cpu_ref_registration.h"

namespace swapbench::attn_in {

SB_ON_LOAD {
  matvec::register_cpu_refs<Args>(
      "attn_in", &reference,
      "The rmsnorm, matvec and rope CPU references in sequence: the reference. In a decode the "
      "step makes those slot calls itself instead.",
      &shape_ok, &traffic::attn_in_bytes, &traffic::attn_in_flops);
}

}  // namespace swapbench::attn_in
