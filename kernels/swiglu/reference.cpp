// CPU reference of slot `swiglu`, and the slot's registration.
#include <cmath>

#include "kernels/common/variant.h"
#include "kernels/swiglu/swiglu.h"

namespace swapbench::swiglu {

void reference(const Args& a) {
  for (int32_t i = 0; i < a.n; ++i) {
    const double g = a.gate[i];
    a.out[i] = static_cast<float>(g / (1.0 + std::exp(-g)) * double(a.up[i]));
  }
}

SB_ON_LOAD {
  Registry::instance().add_slot({.key = "swiglu",
                                 .family = "swiglu",
                                 .contract = "out[i] = silu(gate[i]) * up[i]",
                                 .cpu_reference = "cpu_ref",
                                 .cuda_reference = "elementwise"});
}

}  // namespace swapbench::swiglu
