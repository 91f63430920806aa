// CPU reference of slot `rmsnorm`, and the slot's registration.
#include <cmath>

#include "kernels/common/variant.h"
#include "kernels/rmsnorm/rmsnorm.h"

namespace swapbench::rmsnorm {

void reference(const Args& a) {
  double ss = 0.0;
  for (int32_t i = 0; i < a.n; ++i) ss += double(a.x[i]) * double(a.x[i]);
  const double scale = 1.0 / std::sqrt(ss / a.n + double(a.eps));
  for (int32_t i = 0; i < a.n; ++i)
    a.out[i] = static_cast<float>(double(a.x[i]) * scale * double(a.weight[i]));
}

SB_ON_LOAD {
  Registry::instance().add_slot({.key = "rmsnorm",
                                 .family = "rmsnorm",
                                 .contract = "out[i] = x[i] / sqrt(mean(x^2) + eps) * weight[i]",
                                 .cpu_reference = "cpu_ref",
                                 .cuda_reference = "serial"});
}

}  // namespace swapbench::rmsnorm
