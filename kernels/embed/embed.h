// Slot `embed`: the embedding row of one token, dequantized to f32.
#pragma once

#include <cstdint>

#include "kernels/common/dtype.h"

namespace swapbench::embed {

// out[i] = dequant(table[*token][i]) for i < dim. `token` lives where the backend computes
// (device memory on CUDA), so a captured decode step reads the current token at replay time.
// Shape: cols = dim.
struct Args {
  const void* table;      // vocab rows of `dim` elements in `type`'s GGUF layout
  const int32_t* token;   // one token id, 0 <= id < vocab
  float* out;             // dim floats
  int32_t dim;
  DType type;
};

void reference(const Args& a);  // CPU, plain loops

}  // namespace swapbench::embed
