// CPU reference of the `matvec_pair.<type>` slots, and their registration.
#include <string>

#include "kernels/matvec/matvec.h"
#include "kernels/matvec_pair/matvec_pair.h"

namespace swapbench::matvec_pair {

void reference(const Args& a) {
  matvec::reference({a.w1, a.x, a.y1, a.rows1, a.cols, a.type});
  matvec::reference({a.w2, a.x, a.y2, a.rows2, a.cols, a.type});
}

SB_ON_LOAD {
  for (DType t : matvec::kTypes) {
    Registry::instance().add_slot(
        {.key = matvec::slot_key("matvec_pair", t),
         .family = "matvec_pair",
         .contract = "y1 = W1 x and y2 = W2 x sharing x, W in " + std::string(name(t)),
         .cpu_reference = "cpu_ref",
         .cuda_reference = "separate"});
  }
}

}  // namespace swapbench::matvec_pair
