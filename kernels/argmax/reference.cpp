// CPU reference of slot `argmax`, and the slot's registration.
#include "kernels/argmax/argmax.h"
#include "kernels/common/variant.h"

namespace swapbench::argmax {

void reference(const Args& a) {
  int32_t best = 0;
  float bv = 0.0f;
  bool have = false;
  for (int32_t i = 0; i < a.n; ++i) {
    const float v = a.x[i];
    if (v != v) continue;  // NaN never wins
    if (!have || v > bv) {
      best = i;
      bv = v;
      have = true;
    }
  }
  *a.out = best;
}

SB_ON_LOAD {
  Registry::instance().add_slot({.key = "argmax",
                                 .family = "argmax",
                                 .contract = "index of the largest element (lowest index on ties)",
                                 .cpu_reference = "cpu_ref",
                                 .cuda_reference = "block_reduce"});
}

}  // namespace swapbench::argmax
