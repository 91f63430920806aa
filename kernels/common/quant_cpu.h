// Host quantize/dequantize of whole rows for the decodable ggml types (f32 f16 bf16 q8_0 q4_0
// q4_1), byte-compatible with ggml's reference quantizers.
#pragma once

#include <cstdint>

#include "kernels/common/dtype.h"

namespace swapbench {

// Writes row_bytes(t, n) bytes of type `t` encoding x[0..n). n must be a multiple of the block
// size; throws std::invalid_argument (naming the type) otherwise or when `t` is not decodable.
void quantize_row(DType t, const float* x, void* dst, int64_t n);

// Decodes n elements of type `t` into y[0..n), exactly as ggml's dequantize_row_* does.
void dequantize_row(DType t, const void* src, float* y, int64_t n);

}  // namespace swapbench
