// Row quantizers mirroring ggml's quantize_row_*_ref and dequantize_row_* bit for bit.
#include "kernels/common/quant_cpu.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "kernels/common/quant.h"

namespace swapbench {
namespace {

void quantize_q8_0(const float* x, block_q8_0* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += kQK) {
    float amax = 0.0f;
    for (int j = 0; j < kQK; ++j) amax = std::max(amax, std::fabs(x[j]));
    const float d = amax / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[i].d = f32_to_fp16(d);
    for (int j = 0; j < kQK; ++j) y[i].qs[j] = static_cast<int8_t>(std::roundf(x[j] * id));
  }
}

void quantize_q4_0(const float* x, block_q4_0* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += kQK) {
    // The signed value of largest magnitude maps to -8, so the full range [-8, 7] is used.
    float amax = 0.0f;
    float max = 0.0f;
    for (int j = 0; j < kQK; ++j) {
      if (amax < std::fabs(x[j])) {
        amax = std::fabs(x[j]);
        max = x[j];
      }
    }
    const float d = max / -8.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[i].d = f32_to_fp16(d);
    for (int j = 0; j < kQK / 2; ++j) {
      const int q0 = std::min(15, static_cast<int>(static_cast<int8_t>(x[j] * id + 8.5f)));
      const int q1 =
          std::min(15, static_cast<int>(static_cast<int8_t>(x[j + kQK / 2] * id + 8.5f)));
      y[i].qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
    }
  }
}

void quantize_q4_1(const float* x, block_q4_1* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += kQK) {
    float min = FLT_MAX;
    float max = -FLT_MAX;
    for (int j = 0; j < kQK; ++j) {
      min = x[j] < min ? x[j] : min;
      max = x[j] > max ? x[j] : max;
    }
    const float d = (max - min) / 15.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[i].d = f32_to_fp16(d);
    y[i].m = f32_to_fp16(min);
    for (int j = 0; j < kQK / 2; ++j) {
      const int q0 = std::min(15, static_cast<int>(static_cast<int8_t>((x[j] - min) * id + 0.5f)));
      const int q1 = std::min(
          15, static_cast<int>(static_cast<int8_t>((x[j + kQK / 2] - min) * id + 0.5f)));
      y[i].qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
    }
  }
}

// Returns the block count, checking that `t` is decodable and n fits its blocks.
int64_t blocks_of(DType t, int64_t n, const char* what) {
  const auto inf = dtype_info(static_cast<uint32_t>(t));
  const std::string tname =
      inf ? std::string(inf->name) : "type id " + std::to_string(static_cast<uint32_t>(t));
  if (!inf || !inf->decodable)
    throw std::invalid_argument(std::string(what) + ": cannot decode " + tname);
  if (n < 0 || n % inf->block_size != 0)
    throw std::invalid_argument(std::string(what) + ": " + std::to_string(n) +
                                " elements is not a multiple of the " + tname + " block size " +
                                std::to_string(inf->block_size));
  return n / inf->block_size;
}

}  // namespace

void quantize_row(DType t, const float* x, void* dst, int64_t n) {
  const int64_t nb = blocks_of(t, n, "quantize_row");
  switch (t) {
    case DType::f32:
      std::memcpy(dst, x, static_cast<size_t>(n) * sizeof(float));
      return;
    case DType::f16: {
      auto* y = static_cast<uint16_t*>(dst);
      for (int64_t i = 0; i < n; ++i) y[i] = f32_to_fp16(x[i]);
      return;
    }
    case DType::bf16: {
      auto* y = static_cast<uint16_t*>(dst);
      for (int64_t i = 0; i < n; ++i) y[i] = f32_to_bf16(x[i]);
      return;
    }
    case DType::q8_0:
      return quantize_q8_0(x, static_cast<block_q8_0*>(dst), nb);
    case DType::q4_0:
      return quantize_q4_0(x, static_cast<block_q4_0*>(dst), nb);
    case DType::q4_1:
      return quantize_q4_1(x, static_cast<block_q4_1*>(dst), nb);
    default:
      break;
  }
  throw std::invalid_argument("quantize_row: cannot decode " + std::string(name(t)));
}

void dequantize_row(DType t, const void* src, float* y, int64_t n) {
  const int64_t nb = blocks_of(t, n, "dequantize_row");
  switch (t) {
    case DType::f32:
      std::memcpy(y, src, static_cast<size_t>(n) * sizeof(float));
      return;
    case DType::f16: {
      const auto* x = static_cast<const uint16_t*>(src);
      for (int64_t i = 0; i < n; ++i) y[i] = fp16_to_f32(x[i]);
      return;
    }
    case DType::bf16: {
      const auto* x = static_cast<const uint16_t*>(src);
      for (int64_t i = 0; i < n; ++i) y[i] = bf16_to_f32(x[i]);
      return;
    }
    case DType::q8_0:
      for (int64_t i = 0; i < nb; ++i)
        dequant_block(static_cast<const block_q8_0*>(src)[i], y + i * kQK);
      return;
    case DType::q4_0:
      for (int64_t i = 0; i < nb; ++i)
        dequant_block(static_cast<const block_q4_0*>(src)[i], y + i * kQK);
      return;
    case DType::q4_1:
      for (int64_t i = 0; i < nb; ++i)
        dequant_block(static_cast<const block_q4_1*>(src)[i], y + i * kQK);
      return;
    default:
      break;
  }
  throw std::invalid_argument("dequantize_row: cannot decode " + std::string(name(t)));
}

}  // namespace swapbench
