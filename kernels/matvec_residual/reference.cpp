// CPU reference of the `matvec_residual.<type>` slots, and their registration.
#include <string>

#include "kernels/matvec/matvec.h"
#include "kernels/matvec_residual/matvec_residual.h"

namespace swapbench::matvec_residual {

void reference(const Args& a) {
  const uint64_t stride = row_bytes(a.type, static_cast<uint64_t>(a.cols));
  for (int32_t r = 0; r < a.rows; ++r) {
    const auto* row = static_cast<const uint8_t*>(a.w) + stride * static_cast<uint64_t>(r);
    const float dot = static_cast<float>(matvec::row_dot(a.type, row, a.x, a.cols));
    a.y[r] = a.residual[r] + dot;
  }
}

SB_ON_LOAD {
  for (DType t : matvec::kTypes) {
    Registry::instance().add_slot(
        {.key = matvec::slot_key("matvec_residual", t),
         .family = "matvec_residual",
         .contract = "y = residual + W x, W in " + std::string(name(t)) + ", y may alias residual",
         .cpu_reference = "cpu_ref",
         .cuda_reference = "lane0"});
  }
}

}  // namespace swapbench::matvec_residual
