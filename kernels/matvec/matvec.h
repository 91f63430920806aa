// Slot family `matvec.<type>`: y = W x with W in a GGUF quant format (one slot per type).
#pragma once

#include <cstdint>

#include "kernels/common/dtype.h"
#include "kernels/common/variant.h"

namespace swapbench::matvec {

// y[r] = sum_c W[r][c] * x[c] for r < rows. W is `rows` GGUF rows of `cols` elements of
// `type` (row r starts at byte r * row_bytes(type, cols)); cols is a multiple of 32.
// Shape: rows, cols.
struct Args {
  const void* w;
  const float* x;
  float* y;
  int32_t rows;
  int32_t cols;
  DType type;
};

void reference(const Args& a);  // CPU; dequantizes each block, accumulates in double

// Dot product of one GGUF row with x, in double, in index order: the reference every
// matvec-family slot builds on.
double row_dot(DType type, const void* row, const float* x, int32_t cols);

// Types with a matvec slot, and the slot key of one ("matvec.q4_1").
inline constexpr DType kTypes[] = {DType::f32, DType::f16, DType::bf16,
                                   DType::q8_0, DType::q4_0, DType::q4_1};
std::string slot_key(const char* family, DType type);


}  // namespace swapbench::matvec
