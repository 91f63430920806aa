// CPU variant of the `wo_ffn_in.<type>` slots: the matvec_residual and ffn_in references in
// sequence. Saves nothing: the definition of correct. Bitwise by definition (it is the reference).
#include "kernels/common/traffic.h"
#include "kernels/wo_ffn_in/wo_ffn_in.h"
#include "variants/ffn_in/shape_rules.h"
#include "variants/matvec/cpu_ref_registration.h"

namespace swapbench::wo_ffn_in {

SB_ON_LOAD {
  // The same shape as ffn_in's (rows, rows2 = the FFN's, cols = dim): the same rule.
  matvec::register_cpu_refs<Args>(
      "wo_ffn_in", &reference,
      "The matvec_residual and ffn_in CPU references in sequence: the reference. In a decode the "
      "step makes those slot calls itself instead.",
      &ffn_in::shape_ok, &traffic::wo_ffn_in_bytes, &traffic::wo_ffn_in_flops);
}

}  // namespace swapbench::wo_ffn_in
