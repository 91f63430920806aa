// CPU variant of the `matvec_residual.<type>` slots: the reference loops, so everything runs without a GPU.
// Saves nothing: it is the definition of correct that every other variant is checked against.
// Bitwise by definition (it is the reference).
#include "kernels/matvec_residual/matvec_residual.h"
#include "variants/matvec/cpu_ref_registration.h"

namespace swapbench::matvec_residual {

SB_ON_LOAD { matvec::register_cpu_refs<Args>("matvec_residual", &reference, true); }

}  // namespace swapbench::matvec_residual
