// CPU reference of the `matvec.<type>` slots, and their registration (one slot per type).
#include <string>

#include "kernels/common/quant_cpu.h"
#include "kernels/matvec/matvec.h"

namespace swapbench::matvec {

double row_dot(DType type, const void* row, const float* x, int32_t cols) {
  constexpr int32_t kBlock = 32;  // every type we decode has blocks dividing 32
  const uint64_t block_bytes = row_bytes(type, kBlock);
  const auto* p = static_cast<const uint8_t*>(row);
  float w[kBlock];
  double acc = 0.0;
  for (int32_t c = 0; c < cols; c += kBlock) {
    dequantize_row(type, p + block_bytes * static_cast<uint64_t>(c / kBlock), w, kBlock);
    for (int32_t j = 0; j < kBlock; ++j) acc += double(w[j]) * double(x[c + j]);
  }
  return acc;
}

void reference(const Args& a) {
  const uint64_t stride = row_bytes(a.type, static_cast<uint64_t>(a.cols));
  for (int32_t r = 0; r < a.rows; ++r) {
    const auto* row = static_cast<const uint8_t*>(a.w) + stride * static_cast<uint64_t>(r);
    a.y[r] = static_cast<float>(row_dot(a.type, row, a.x, a.cols));
  }
}

std::string slot_key(const char* family, DType type) {
  return std::string(family) + "." + std::string(name(type));
}

SB_ON_LOAD {
  for (DType t : kTypes) {
    Registry::instance().add_slot(
        {.key = slot_key("matvec", t),
         .family = "matvec",
         .contract = "y = W x, W rows x cols in " + std::string(name(t)) + ", x and y f32",
         .cpu_reference = "cpu_ref",
         .cuda_reference = "warp_row"});
  }
}

}  // namespace swapbench::matvec
