// ggml quant block layouts (q8_0, q4_0, q4_1) and exact fp16/bf16 conversions, host and device.
#pragma once

#include <cstdint>
#include <cstring>

#if defined(__CUDACC__)
#define SB_HD __host__ __device__
#else
#define SB_HD
#endif

namespace swapbench {

// Elements per block of every 32-wide ggml quant type.
constexpr int kQK = 32;

// x[j] = qs[j] * d
struct block_q8_0 {
  uint16_t d;  // fp16 scale
  int8_t qs[kQK];
};
// x[j] = (q[j] - 8) * d; element j < 16 is the low nibble of qs[j], element j + 16 the high one.
struct block_q4_0 {
  uint16_t d;  // fp16 scale
  uint8_t qs[kQK / 2];
};
// x[j] = q[j] * d + m; same nibble layout as q4_0.
struct block_q4_1 {
  uint16_t d;  // fp16 scale
  uint16_t m;  // fp16 minimum
  uint8_t qs[kQK / 2];
};
static_assert(sizeof(block_q8_0) == 34, "block_q8_0 must match ggml's 34-byte layout");
static_assert(sizeof(block_q4_0) == 18, "block_q4_0 must match ggml's 18-byte layout");
static_assert(sizeof(block_q4_1) == 20, "block_q4_1 must match ggml's 20-byte layout");

// Bit casts that compile on host and device; conversions below use integers only so that host and
// device produce identical bits whatever the compiler's float flags.
SB_HD inline uint32_t f32_bits(float f) {
#if defined(__CUDA_ARCH__)
  return __float_as_uint(f);
#else
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
#endif
}
SB_HD inline float bits_f32(uint32_t u) {
#if defined(__CUDA_ARCH__)
  return __uint_as_float(u);
#else
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
#endif
}

// IEEE binary16 -> binary32; exact for every input (subnormals, inf, nan keep their meaning).
SB_HD inline float fp16_to_f32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  if (exp == 0) {
    if (mant == 0) return bits_f32(sign);
    // Subnormal half: shift the leading one up into the implicit-bit position.
    uint32_t e = 113;  // 127 - 14: exponent of the smallest normal half
    while ((mant & 0x400u) == 0) {
      mant <<= 1;
      --e;
    }
    return bits_f32(sign | (e << 23) | ((mant & 0x3ffu) << 13));
  }
  if (exp == 31) return bits_f32(sign | 0x7f800000u | (mant << 13));
  return bits_f32(sign | ((exp + 112) << 23) | (mant << 13));
}

// binary32 -> binary16 rounding to nearest, ties to even. Overflow gives inf; NaN gives the quiet
// NaN 0x7e00 with the input's sign, as ggml's software conversion does.
SB_HD inline uint16_t f32_to_fp16(float f) {
  const uint32_t x = f32_bits(f);
  const uint32_t sign = (x >> 16) & 0x8000u;
  const uint32_t a = x & 0x7fffffffu;
  if (a > 0x7f800000u) return static_cast<uint16_t>(sign | 0x7e00u);
  if (a >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // >= 65520 rounds to inf
  if (a < 0x38800000u) {
    // Below 2^-14: the result is a half subnormal, a count of 2^-24 units.
    const uint32_t e = a >> 23;
    if (e < 102) return static_cast<uint16_t>(sign);  // below 2^-25: rounds to zero
    const uint32_t m = (a & 0x7fffffu) | 0x800000u;
    const uint32_t shift = 126 - e;  // 14..24
    uint32_t r = m >> shift;
    const uint32_t rem = m & ((1u << shift) - 1);
    const uint32_t halfway = 1u << (shift - 1);
    if (rem > halfway || (rem == halfway && (r & 1u))) ++r;  // may carry into the smallest normal
    return static_cast<uint16_t>(sign | r);
  }
  uint32_t h = ((a >> 13) - (112u << 10));
  const uint32_t rem = a & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) ++h;  // a carry into the exponent is right
  return static_cast<uint16_t>(sign | h);
}

SB_HD inline float bf16_to_f32(uint16_t b) { return bits_f32(static_cast<uint32_t>(b) << 16); }

// binary32 -> bfloat16, round to nearest even; NaN stays a quiet NaN (ggml_compute_fp32_to_bf16).
SB_HD inline uint16_t f32_to_bf16(float f) {
  const uint32_t u = f32_bits(f);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 64u);
  return static_cast<uint16_t>((u + (0x7fffu + ((u >> 16) & 1u))) >> 16);
}

// One element j (0..31) of a block, computed exactly as ggml's dequantize_row_* does.
SB_HD inline float dequant_q8_0(const block_q8_0& b, int j) {
  return static_cast<float>(b.qs[j]) * fp16_to_f32(b.d);
}
SB_HD inline int q4_nibble(const uint8_t* qs, int j) {
  return j < kQK / 2 ? (qs[j] & 0x0f) : (qs[j - kQK / 2] >> 4);
}
SB_HD inline float dequant_q4_0(const block_q4_0& b, int j) {
  return static_cast<float>(q4_nibble(b.qs, j) - 8) * fp16_to_f32(b.d);
}
SB_HD inline float dequant_q4_1(const block_q4_1& b, int j) {
  const float q = static_cast<float>(q4_nibble(b.qs, j));
#if defined(__CUDA_ARCH__)
  // nvcc would contract q * d + m into an FMA; the explicit roundings keep the host's bits.
  return __fadd_rn(__fmul_rn(q, fp16_to_f32(b.d)), fp16_to_f32(b.m));
#else
  return q * fp16_to_f32(b.d) + fp16_to_f32(b.m);
#endif
}

// A whole block into y[0..31].
SB_HD inline void dequant_block(const block_q8_0& b, float* y) {
  for (int j = 0; j < kQK; ++j) y[j] = dequant_q8_0(b, j);
}
SB_HD inline void dequant_block(const block_q4_0& b, float* y) {
  for (int j = 0; j < kQK; ++j) y[j] = dequant_q4_0(b, j);
}
SB_HD inline void dequant_block(const block_q4_1& b, float* y) {
  for (int j = 0; j < kQK; ++j) y[j] = dequant_q4_1(b, j);
}

}  // namespace swapbench
