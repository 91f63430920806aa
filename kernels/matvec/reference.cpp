// CPU reference of the `matvec.<type>` slots, and their registration (one slot per type).
#include <string>

#include "kernels/common/quant.h"
#include "kernels/common/quant_cpu.h"
#include "kernels/matvec/matvec.h"

namespace swapbench::matvec {

double row_dot(DType type, const void* row, const float* x, int32_t cols) {
  // The quantized types are decoded here block by block with their scales converted once per
  // block (the same float operations as dequantize_row, so the same weights); other types go
  // through dequantize_row. Accumulation is in double, in index order.
  double acc = 0.0;
  const int32_t blocks = cols / kQK;
  switch (type) {
    case DType::q8_0: {
      const auto* b = static_cast<const block_q8_0*>(row);
      for (int32_t i = 0; i < blocks; ++i, x += kQK) {
        const float d = fp16_to_f32(b[i].d);
        for (int j = 0; j < kQK; ++j) acc += double(float(b[i].qs[j]) * d) * double(x[j]);
      }
      return acc;
    }
    case DType::q4_0: {
      const auto* b = static_cast<const block_q4_0*>(row);
      for (int32_t i = 0; i < blocks; ++i, x += kQK) {
        const float d = fp16_to_f32(b[i].d);
        for (int j = 0; j < kQK; ++j)
          acc += double(float(q4_nibble(b[i].qs, j) - 8) * d) * double(x[j]);
      }
      return acc;
    }
    case DType::q4_1: {
      const auto* b = static_cast<const block_q4_1*>(row);
      for (int32_t i = 0; i < blocks; ++i, x += kQK) {
        const float d = fp16_to_f32(b[i].d), m = fp16_to_f32(b[i].m);
        for (int j = 0; j < kQK; ++j)
          acc += double(float(q4_nibble(b[i].qs, j)) * d + m) * double(x[j]);
      }
      return acc;
    }
    default: {
      const uint64_t block_bytes = row_bytes(type, kQK);
      const auto* p = static_cast<const uint8_t*>(row);
      float w[kQK];
      for (int32_t i = 0; i < blocks; ++i, x += kQK) {
        dequantize_row(type, p + block_bytes * uint64_t(i), w, kQK);
        for (int j = 0; j < kQK; ++j) acc += double(w[j]) * double(x[j]);
      }
      return acc;
    }
  }
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
