// CPU variant of the `ffn_in.<type>` slots: the rmsnorm, matvec_pair and swiglu references in
// sequence. Saves nothing: the definition of correct. Bitwise by definition (it is the reference).
#include "kernels/common/traffic.h"
#include "kernels/ffn_in/ffn_in.h"
#include "variants/ffn_in/shape_rules.h"
#include "variants/matvec/cpu_ref_registration.h"

namespace swapbench::ffn_in {

SB_ON_LOAD {
  matvec::register_cpu_refs<Args>(
      "ffn_in", &reference,
      "The rmsnorm, matvec_pair and swiglu CPU references in sequence: the reference. In a "
      "decode the step makes those slot calls itself instead.",
      &shape_ok, &traffic::ffn_in_bytes, &traffic::ffn_in_flops);
}

}  // namespace swapbench::ffn_in
