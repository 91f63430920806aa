// Device-side pieces shared by every matvec-family kernel: loading one 32-element weight block
// into registers, THE per-block dot product of each type, and THE warp sum.
//
// Every float-path variant (warp_row, v3, v3_small, matvec_pair.*, matvec_residual.*) builds its
// row sums from exactly these functions, so that they are bitwise identical by construction:
//   - lane l of a warp handles blocks l, l+32, l+64, ... of a row, in increasing order, adding
//     each block's value into one float accumulator (accum_block);
//   - a block's value is fixed here, per type: 4 partial sums over j % 4, combined as
//     (s0 + s1) + (s2 + s3), then scaled (quant types) and added;
//   - the 32 lane accumulators are summed by the xor tree of warp_sum (16, 8, 4, 2, 1).
// Every rounding is explicit (__fmaf_rn, __fadd_rn, __fmul_rn), so nvcc cannot contract or
// reorder them differently in different kernels. Where x comes from (global or shared memory) and
// how weight bytes reach registers is free: only the values matter, and they are exact.
#pragma once

#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>

#include "kernels/common/dtype.h"
#include "kernels/common/quant.h"

namespace swapbench::mv {

constexpr int kWarpSize = 32;
constexpr uint32_t kFullMask = 0xffffffffu;

// Sum over the 32 lanes by an xor butterfly; every lane ends with the same bits (each step adds
// the same two values in both partner lanes, and float addition is commutative).
// All 32 lanes must call it.
__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v = __fadd_rn(v, __shfl_xor_sync(kFullMask, v, o));
  return v;
}

// fp16 bits -> float by the hardware conversion: exact for every finite, subnormal and infinite
// half (the same value as quant.h's integer fp16_to_f32), one instruction.
__device__ __forceinline__ float half_bits_to_f32(uint32_t h16) {
  return __half2float(__ushort_as_half(static_cast<unsigned short>(h16 & 0xffffu)));
}

// Byte k of v as an exact float minus `bias_plus_2p23`: builds the float 2^23 + byte from its bits
// (one PRMT) and subtracts; exact because every intermediate is an integer below 2^24. Avoids
// the quarter-rate I2F conversion.
__device__ __forceinline__ float byte_to_f32(uint32_t v, int k, float bias_plus_2p23) {
  return __fsub_rn(__uint_as_float(__byte_perm(v, 0x4B000000u, 0x7540u | static_cast<uint32_t>(k))),
                   bias_plus_2p23);
}

// Bytes [p, p + N) of a block at an A-byte aligned address (A = 2 or 4) as little-endian 32-bit
// words, from aligned 8-byte loads and funnel shifts. It never reads an 8-byte word that holds
// no byte of the block, so it cannot fault past the end of an allocation (compute-sanitizer
// may still report the few bytes of such a word that lie outside a buffer whose size is not a
// multiple of 8).
template <int N, int A>
__device__ __forceinline__ void load_block_words(const uint8_t* p, uint32_t (&out)[(N + 3) / 4]) {
  static_assert(A == 2 || A == 4, "blocks are 2- or 4-byte aligned");
  constexpr int kOut = (N + 3) / 4;
  constexpr int kLoads = (N + 8 - A + 7) / 8;  // 8-byte words covering the block, worst offset
  static_assert(8 * (kLoads - 1) < N, "the last 8-byte word must hold a byte of the block");
  const uintptr_t addr = reinterpret_cast<uintptr_t>(p);
  const uint2* q = reinterpret_cast<const uint2*>(addr & ~uintptr_t{7});
  uint32_t w[2 * kLoads + 1];
#pragma unroll
  for (int i = 0; i < kLoads; ++i) {
    const uint2 v = __ldg(q + i);
    w[2 * i] = v.x;
    w[2 * i + 1] = v.y;
  }
  w[2 * kLoads] = 0;
  const uint32_t off = static_cast<uint32_t>(addr & 7);
  const bool upper = off >= 4;
  const uint32_t shift = (off & 3u) * 8u;
#pragma unroll
  for (int i = 0; i < kOut; ++i) {
    const uint32_t lo = upper ? w[i + 1] : w[i];
    if constexpr (A >= 4) {
      out[i] = lo;
    } else {
      const uint32_t hi = upper ? w[i + 2] : w[i + 1];
      out[i] = __funnelshift_r(lo, hi, shift);
    }
  }
}

// THE block dot: sum_j w[j] * x[j] as 4 partial sums over j % 4, combined (s0 + s1) + (s2 + s3).
__device__ __forceinline__ float dot32(const float (&w)[kQK], const float (&x)[kQK]) {
  float s[4];
#pragma unroll
  for (int k = 0; k < 4; ++k) s[k] = __fmul_rn(w[k], x[k]);
#pragma unroll
  for (int j = 4; j < kQK; ++j) s[j & 3] = __fmaf_rn(w[j], x[j], s[j & 3]);
  return __fadd_rn(__fadd_rn(s[0], s[1]), __fadd_rn(s[2], s[3]));
}

// THE block sum of x (q4_1's minimum term), in the same shape as dot32.
__device__ __forceinline__ float sum32(const float (&x)[kQK]) {
  float s[4] = {x[0], x[1], x[2], x[3]};
#pragma unroll
  for (int j = 4; j < kQK; ++j) s[j & 3] = __fadd_rn(s[j & 3], x[j]);
  return __fadd_rn(__fadd_rn(s[0], s[1]), __fadd_rn(s[2], s[3]));
}

// One weight block in registers, per type; load_block(row, b) reads block b of a row.
template <DType T>
struct WBlock;

template <>
struct WBlock<DType::f32> {
  static constexpr int kBytes = 128;
  float4 v[8];
  __device__ __forceinline__ void load(const uint8_t* row, int b) {
    const float4* p = reinterpret_cast<const float4*>(row + static_cast<size_t>(b) * kBytes);
#pragma unroll
    for (int i = 0; i < 8; ++i) v[i] = __ldg(p + i);
  }
  __device__ __forceinline__ float accum(float acc, const float (&x)[kQK]) const {
    float w[kQK];
#pragma unroll
    for (int i = 0; i < 8; ++i) {
      w[4 * i] = v[i].x;
      w[4 * i + 1] = v[i].y;
      w[4 * i + 2] = v[i].z;
      w[4 * i + 3] = v[i].w;
    }
    return __fadd_rn(acc, dot32(w, x));
  }
};

// f16 and bf16: 64-byte blocks, 16-byte aligned (rows are multiples of 64 bytes).
template <DType T>
struct WBlock16 {
  static constexpr int kBytes = 64;
  uint4 v[4];
  __device__ __forceinline__ void load(const uint8_t* row, int b) {
    const uint4* p = reinterpret_cast<const uint4*>(row + static_cast<size_t>(b) * kBytes);
#pragma unroll
    for (int i = 0; i < 4; ++i) v[i] = __ldg(p + i);
  }
  static __device__ __forceinline__ float lo(uint32_t u) {
    if constexpr (T == DType::f16) return half_bits_to_f32(u);
    else return __uint_as_float(u << 16);
  }
  static __device__ __forceinline__ float hi(uint32_t u) {
    if constexpr (T == DType::f16) return half_bits_to_f32(u >> 16);
    else return __uint_as_float(u & 0xffff0000u);
  }
  __device__ __forceinline__ float accum(float acc, const float (&x)[kQK]) const {
    float w[kQK];
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      const uint32_t u[4] = {v[i].x, v[i].y, v[i].z, v[i].w};
#pragma unroll
      for (int k = 0; k < 4; ++k) {
        w[8 * i + 2 * k] = lo(u[k]);
        w[8 * i + 2 * k + 1] = hi(u[k]);
      }
    }
    return __fadd_rn(acc, dot32(w, x));
  }
};
template <>
struct WBlock<DType::f16> : WBlock16<DType::f16> {};
template <>
struct WBlock<DType::bf16> : WBlock16<DType::bf16> {};

// q8_0: 34-byte blocks, 2-byte aligned. acc += d * dot32(q, x).
template <>
struct WBlock<DType::q8_0> {
  static constexpr int kBytes = sizeof(block_q8_0);
  uint32_t w[9];  // block bytes 0..35: d in bytes 0-1, qs from byte 2
  __device__ __forceinline__ void load(const uint8_t* row, int b) {
    load_block_words<kBytes, 2>(row + static_cast<size_t>(b) * kBytes, w);
  }
  __device__ __forceinline__ float accum(float acc, const float (&x)[kQK]) const {
    float q[kQK];
#pragma unroll
    for (int i = 0; i < 8; ++i) {
      // +128 per byte makes the signed qs unsigned; the bias removes it again, exactly.
      const uint32_t qs = __funnelshift_r(w[i], w[i + 1], 16) ^ 0x80808080u;
#pragma unroll
      for (int k = 0; k < 4; ++k) q[4 * i + k] = byte_to_f32(qs, k, 8388608.0f + 128.0f);
    }
    return __fmaf_rn(half_bits_to_f32(w[0]), dot32(q, x), acc);
  }
};

// q4_0: 18-byte blocks, 2-byte aligned. acc += d * dot32(q - 8, x).
template <>
struct WBlock<DType::q4_0> {
  static constexpr int kBytes = sizeof(block_q4_0);
  uint32_t w[5];  // block bytes 0..19: d in bytes 0-1, qs from byte 2
  __device__ __forceinline__ void load(const uint8_t* row, int b) {
    load_block_words<kBytes, 2>(row + static_cast<size_t>(b) * kBytes, w);
  }
  __device__ __forceinline__ float accum(float acc, const float (&x)[kQK]) const {
    float q[kQK];
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      const uint32_t qs = __funnelshift_r(w[i], w[i + 1], 16);
      const uint32_t lo = qs & 0x0f0f0f0fu, hi = (qs >> 4) & 0x0f0f0f0fu;
#pragma unroll
      for (int k = 0; k < 4; ++k) {
        q[4 * i + k] = byte_to_f32(lo, k, 8388608.0f + 8.0f);
        q[16 + 4 * i + k] = byte_to_f32(hi, k, 8388608.0f + 8.0f);
      }
    }
    return __fmaf_rn(half_bits_to_f32(w[0]), dot32(q, x), acc);
  }
};

// q4_1: 20-byte blocks, 4-byte aligned. acc += d * dot32(q, x) + m * sum32(x).
template <>
struct WBlock<DType::q4_1> {
  static constexpr int kBytes = sizeof(block_q4_1);
  uint32_t w[5];  // d | m << 16, then qs
  __device__ __forceinline__ void load(const uint8_t* row, int b) {
    load_block_words<kBytes, 4>(row + static_cast<size_t>(b) * kBytes, w);
  }
  __device__ __forceinline__ float accum(float acc, const float (&x)[kQK]) const {
    float q[kQK];
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      const uint32_t lo = w[1 + i] & 0x0f0f0f0fu, hi = (w[1 + i] >> 4) & 0x0f0f0f0fu;
#pragma unroll
      for (int k = 0; k < 4; ++k) {
        q[4 * i + k] = byte_to_f32(lo, k, 8388608.0f);
        q[16 + 4 * i + k] = byte_to_f32(hi, k, 8388608.0f);
      }
    }
    const float d = half_bits_to_f32(w[0]), m = half_bits_to_f32(w[0] >> 16);
    return __fadd_rn(acc, __fmaf_rn(d, dot32(q, x), __fmul_rn(m, sum32(x))));
  }
};

}  // namespace swapbench::mv
