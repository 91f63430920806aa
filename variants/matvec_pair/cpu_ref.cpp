// CPU variant of the `matvec_pair.<type>` slots: the reference loops, so everything runs without a GPU.
// Saves nothing: it is the definition of correct that every other variant is checked against.
// Bitwise by definition (it is the reference).
#include "kernels/matvec_pair/matvec_pair.h"
#include "variants/matvec/cpu_ref_registration.h"

namespace swapbench::matvec_pair {

SB_ON_LOAD { matvec::register_cpu_refs<Args>("matvec_pair", &reference, false); }

}  // namespace swapbench::matvec_pair
