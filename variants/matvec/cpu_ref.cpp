// CPU variant of the `matvec.<type>` slots: the reference loops, so everything runs without a GPU.
// Saves nothing: it is the definition of correct that every other variant is checked against.
// Bitwise by definition (it is the reference).
#include "kernels/matvec/matvec.h"
#include "variants/matvec/cpu_ref_registration.h"

namespace swapbench::matvec {

SB_ON_LOAD { matvec::register_cpu_refs<Args>("matvec", &reference, false); }

}  // namespace swapbench::matvec
