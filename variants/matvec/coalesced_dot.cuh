// x as the coalesced kernel holds it and the dot of one weight block with it
// (coalesced_kernels.cuh): x quantized once per thread block into shared memory, per 32-element
// block, as 16-bit integers split into a signed high and an unsigned low byte (XB = 16: two
// __dp4a per 4-byte weight word, NMSE <= 7.5e-9 against exact x) or as int8 (XB = 8,
// matvec*.coalesced_dp4a: one __dp4a, NMSE <= 1e-3); block_dot / block_dot8 dot block `lane` of a
// row staged in shared memory with it, exact in integers before the block's two roundings.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "kernels/common/dequant.cuh"
#include "kernels/common/quant.h"

namespace swapbench::mvc {

constexpr int kXBytesPerBlock = 72;  // 64 bytes of int16 x (split) + {scale, sum of q}
// Per-block worst case of the 16-bit x rounding: 32 elements each off by at most amax / 65534.
constexpr double kX16NmseWorst = 32.0 / (65534.0 * 65534.0);

// Bytes of one weight block per type.
template <DType T>
__host__ __device__ constexpr int block_bytes() {
  static_assert(T == DType::q8_0 || T == DType::q4_0 || T == DType::q4_1,
                "coalesced handles q8_0, q4_0, q4_1");
  return T == DType::q8_0 ? 34 : (T == DType::q4_0 ? 18 : 20);
}

// sum of 4 (signed byte a) * (unsigned byte b) + c.
__device__ __forceinline__ int dp4a_su(int a, uint32_t b, int c) {
  int d;
  asm("dp4a.s32.u32 %0, %1, %2, %3;" : "=r"(d) : "r"(a), "r"(b), "r"(c));
  return d;
}

// x as the matvec slots take it: read-only float4s.
struct XPlain {
  const float* __restrict__ x;
  __device__ __forceinline__ float4 operator()(int e4) const {
    return __ldg(reinterpret_cast<const float4*>(x) + e4);
  }
};

// One pass of quantize_x: the float4s e4 = base + k * nt + tid, k < kn (<= 8), given in v[k]
// (zero where e4 >= n4), into xq and xs. kn is the same in every thread: every lane reaches the
// shuffles.
template <int XB>
__device__ __forceinline__ void quantize_pass(const float4 (&v)[8], int base, int kn, int n4,
                                              uint32_t* xq, float2* xs) {
  static_assert(XB == 16 || XB == 8, "x is held as 16- or 8-bit integers");
  constexpr float kQMax = XB == 16 ? 32767.0f : 127.0f;
  const int nt = static_cast<int>(blockDim.x), tid = static_cast<int>(threadIdx.x);
#pragma unroll
  for (int k = 0; k < 8; ++k) {
    if (k >= kn) break;
    const int e4 = base + k * nt + tid;
    float amax = fmaxf(fmaxf(fabsf(v[k].x), fabsf(v[k].y)), fmaxf(fabsf(v[k].z), fabsf(v[k].w)));
#pragma unroll
    for (int o = 4; o > 0; o >>= 1) amax = fmaxf(amax, __shfl_xor_sync(mv::kFullMask, amax, o));
    const float id = amax > 0.0f ? kQMax / amax : 0.0f;
    const int q0 = __float2int_rn(v[k].x * id), q1 = __float2int_rn(v[k].y * id);
    const int q2 = __float2int_rn(v[k].z * id), q3 = __float2int_rn(v[k].w * id);
    int sum = q0 + q1 + q2 + q3;
#pragma unroll
    for (int o = 4; o > 0; o >>= 1) sum += __shfl_xor_sync(mv::kFullMask, sum, o);
    if (e4 < n4) {
      const int b = e4 >> 3, part = e4 & 7;
      auto lo = [](int q) { return static_cast<uint32_t>(q) & 0xffu; };
      const uint32_t wl = lo(q0) | lo(q1) << 8 | lo(q2) << 16 | lo(q3) << 24;
      if constexpr (XB == 16) {
        auto hi = [](int q) { return static_cast<uint32_t>(q >> 8) & 0xffu; };  // q = 256 hi + lo
        const uint32_t wh = hi(q0) | hi(q1) << 8 | hi(q2) << 16 | hi(q3) << 24;
        const int c = part >> 2, rot = b >> 1;
        xq[b * 16 + ((c + rot) & 3) * 4 + (part & 3)] = wl;
        xq[b * 16 + ((c + 2 + rot) & 3) * 4 + (part & 3)] = wh;
      } else {
        xq[b * 8 + (((part >> 2) + (b >> 2)) & 1) * 4 + (part & 3)] = wl;
      }
      if (part == 0) xs[b] = make_float2(amax / kQMax, static_cast<float>(sum));
    }
  }
}

// Rounds of nt float4s in the pass from `base` over n4 (the same in every thread): 4096 columns
// over 512 threads need 2 of the 8, and this prologue sits between the grid wait and the first
// dot, so each pass issues all of its loads before the first use (one round trip to L2).
__device__ __forceinline__ int pass_rounds(int n4, int base) {
  const int nt = static_cast<int>(blockDim.x);
  return min(8, (n4 - base + nt - 1) / nt);
}

// v[k] = load(base + k * nt + tid) for the pass's kn rounds, zero elsewhere (quantize_pass's v).
template <class Load>
__device__ __forceinline__ void load_pass(const Load& load, int base, int kn, int n4,
                                          float4 (&v)[8]) {
  const int nt = static_cast<int>(blockDim.x), tid = static_cast<int>(threadIdx.x);
#pragma unroll
  for (int k = 0; k < 8; ++k) {
    const int e4 = base + k * nt + tid;
    v[k] = k < kn && e4 < n4 ? load(e4) : make_float4(0, 0, 0, 0);
  }
}

// x's float4s of this thread for quantize_x's one pass, loaded but not yet used (kn = 0: x needs
// more than one pass, nothing loaded).
struct XLoaded {
  float4 v[8];
  int kn;
};
template <class Load>
__device__ __forceinline__ XLoaded load_one_pass(const Load& load, int n4) {
  XLoaded l;
  l.kn = n4 <= 8 * static_cast<int>(blockDim.x) ? pass_rounds(n4, 0) : 0;
  load_pass(load, 0, l.kn, n4, l.v);
  return l;
}

// Quantizes x (nb blocks) into shared memory, XB bits per element, per 32-element block with
// scale amax / (2^(XB-1) - 1), rounding to nearest, plus {scale, sum of the 32 q} in xs[b].
// XB = 16: per block 4 chunks of 16 bytes (lo words 0-3, lo 4-7, hi 0-3, hi 4-7), chunk c stored
// at slot (c + b / 2) % 4 so that the 8 lanes of a quarter-warp reading chunk c of 8 consecutive
// blocks hit 8 distinct 16-byte bank groups. XB = 8 (matvec*.coalesced_dp4a): 32 int8 = 2 chunks,
// chunk c at slot (c + b / 4) % 2, for the same reason; error <= amax / 254 per element, as
// matvec.dp4a (dp4a_bound.h: NMSE <= 1e-3). Every thread of the block calls it. `load(e4)` gives
// float4 number e4 of x (XPlain: x as given; coalesced_norm.cuh: the normalised x).
template <int XB, class Load>
__device__ __forceinline__ void quantize_x(const Load& load, int nb, uint32_t* xq, float2* xs) {
  const int n4 = nb * 8;  // float4s; 8 consecutive threads hold one block
  const int nt = static_cast<int>(blockDim.x);
  for (int base = 0; base < n4; base += 8 * nt) {  // uniform: every lane reaches the shuffles
    const int kn = pass_rounds(n4, base);
    float4 v[8];
    load_pass(load, base, kn, n4, v);
    quantize_pass<XB>(v, base, kn, n4, xq, xs);
  }
}

// d[0..3] = the four words of c.
__device__ __forceinline__ void unpack4(uint32_t* d, const uint4& c) {
  d[0] = c.x;
  d[1] = c.y;
  d[2] = c.z;
  d[3] = c.w;
}

// Where lane `lane` finds its x chunks in every piece: the coalesced kernel's lane l dots block
// b = 32 p + l of piece p, and quantize_x stores chunk c of block b at slot (c + b / 2) % 4 (XB =
// 16) or (c + b / 4) % 2 (XB = 8). Since 32 p / 2 and 32 p / 4 are multiples of 4 and 2, the slot
// depends on the lane only: the byte offsets of the lane's chunks within a piece's x run are
// computed once per warp, and a piece adds one uniform base (kXPieceBytes). The per-piece
// rotation arithmetic was ~20 instructions of the q4_0 loop's ~190 (SASS).
template <int XB>
struct XLane {
  static constexpr int kChunks = XB == 16 ? 4 : 2;
  static constexpr int kXPieceBytes = 32 * 16 * kChunks;  // the x bytes of one piece's 32 blocks
  uint32_t off[kChunks];
  __device__ __forceinline__ explicit XLane(int lane) {
    const int rot = XB == 16 ? lane >> 1 : lane >> 2;
#pragma unroll
    for (int c = 0; c < kChunks; ++c)
      off[c] = static_cast<uint32_t>(lane * 16 * kChunks + ((c + rot) % kChunks) * 16);
  }
};

// x words of block 32 p + lane: lo[i], hi[i] for elements 4i .. 4i+3; `piece` is xq + p *
// XLane<16>::kXPieceBytes.
struct XWords {
  uint32_t lo[8], hi[8];
  __device__ __forceinline__ void load(const uint8_t* piece, const XLane<16>& xl) {
    const uint4 c0 = *reinterpret_cast<const uint4*>(piece + xl.off[0]);
    const uint4 c1 = *reinterpret_cast<const uint4*>(piece + xl.off[1]);
    const uint4 c2 = *reinterpret_cast<const uint4*>(piece + xl.off[2]);
    const uint4 c3 = *reinterpret_cast<const uint4*>(piece + xl.off[3]);
    unpack4(lo, c0);
    unpack4(lo + 4, c1);
    unpack4(hi, c2);
    unpack4(hi + 4, c3);
  }
};

// Block `lane` of a row segment staged at `seg` (16-byte aligned shared memory), read as aligned
// words: its scale d (q4_1: and min m) and its quants, four per word. q8_0: 8 words of signed
// bytes. q4_*: 4 words whose byte j holds element j (low nibble) and j + 16 (high nibble).
template <DType T>
struct WBlockWords {
  static constexpr int kWords = T == DType::q8_0 ? 8 : 4;
  float d, m;
  uint32_t w[kWords + 1];  // the words from the block's aligned start
  uint32_t sh;             // funnel shift: 16 when the block starts 2 bytes into w[0], else 32
  __device__ __forceinline__ WBlockWords(const uint8_t* seg, int lane) : m(0.0f) {
    const int off = block_bytes<T>() * lane;  // 2-byte aligned (4 for q4_1)
    const uint32_t* a = reinterpret_cast<const uint32_t*>(seg + (off & ~3));
    // The block's bytes sit at a + (off & 3), d first; the kWords + 1 words from a cover them.
#pragma unroll
    for (int i = 0; i <= kWords; ++i) w[i] = a[i];
    sh = (off & 2) ? 32u : 16u;
    if constexpr (T == DType::q4_1) {  // 4-byte aligned: d, m, then the quants
      d = mv::half_bits_to_f32(w[0]);
      m = mv::half_bits_to_f32(w[0] >> 16);
    } else {
      d = mv::half_bits_to_f32(w[0] >> ((off & 2) * 8));
    }
  }
  // Quant word i. funnelshift_rc by 32 returns the high word, so one expression serves both
  // offsets. Called where the word is used: the dots keep the order the compiler was measured with.
  __device__ __forceinline__ uint32_t q(int i) const {
    if constexpr (T == DType::q4_1) return w[i + 1];
    return __funnelshift_rc(w[i], w[i + 1], sh);
  }
  // All kWords quant words at once (the q4_* dots split each word into two nibble words).
  __device__ __forceinline__ void words(uint32_t (&out)[kWords]) const {
#pragma unroll
    for (int i = 0; i < kWords; ++i) out[i] = q(i);
  }
};

// acc + d_w * d_x * s for the block's integer sum s (exact in float: every caller's |s| < 2^24),
// with q4_0's offset of 8 and q4_1's min times sum(x) = d_x * sum(q).
template <DType T>
__device__ __forceinline__ float scale_block(const WBlockWords<T>& wb, int s, float2 xsc,
                                             float acc) {
  if constexpr (T == DType::q8_0) {
    return __fmaf_rn(__fmul_rn(wb.d, xsc.x), static_cast<float>(s), acc);
  } else if constexpr (T == DType::q4_0) {
    const float sf = static_cast<float>(s);
    return __fmaf_rn(__fmul_rn(wb.d, xsc.x), __fsub_rn(sf, 8.0f * xsc.y), acc);
  } else {
    const float sf = static_cast<float>(s);
    return __fmaf_rn(__fmul_rn(wb.d, xsc.x), sf, __fmaf_rn(__fmul_rn(wb.m, xsc.x), xsc.y, acc));
  }
}

// acc += block `lane` of a row segment staged at `seg` dotted with x: d_w * d_x * (sum of integer
// products), exact in integers before the two roundings.
template <DType T>
__device__ __forceinline__ float block_dot(const uint8_t* seg, int lane, const XWords& xw,
                                           float2 xsc, float acc) {
  const WBlockWords<T> wb(seg, lane);
  int shi = 0, slo = 0;
  if constexpr (T == DType::q8_0) {
#pragma unroll
    for (int i = 0; i < 8; ++i) {
      const int q = static_cast<int>(wb.q(i));
      shi = __dp4a(q, static_cast<int>(xw.hi[i]), shi);
      slo = dp4a_su(q, xw.lo[i], slo);
    }
    // |256 shi + slo| <= 32 * 128 * 32767 < 2^31 in integers; the float conversion rounds once.
  } else {
    uint32_t q[4];
    wb.words(q);
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      const int lo = static_cast<int>(q[i] & 0x0f0f0f0fu);
      const int hi = static_cast<int>((q[i] >> 4) & 0x0f0f0f0fu);
      shi = __dp4a(lo, static_cast<int>(xw.hi[i]), shi);
      shi = __dp4a(hi, static_cast<int>(xw.hi[4 + i]), shi);
      slo = dp4a_su(lo, xw.lo[i], slo);
      slo = dp4a_su(hi, xw.lo[4 + i], slo);
    }
    // |256 shi + slo| <= 32 * 15 * 32767 < 2^24: exact in float, and so is the q4_0 offset.
  }
  return scale_block(wb, shi * 256 + slo, xsc, acc);
}

// x in shared memory at 8 bits (quantize_x<8>): 32 int8 and {scale, sum of q} per block.
constexpr int kX8BytesPerBlock = 40;

// x words of block 32 p + lane at 8 bits: w[i] holds elements 4i .. 4i+3; `piece` is xq + p *
// XLane<8>::kXPieceBytes.
struct XWords8 {
  uint32_t w[8];
  __device__ __forceinline__ void load(const uint8_t* piece, const XLane<8>& xl) {
    const uint4 c0 = *reinterpret_cast<const uint4*>(piece + xl.off[0]);
    const uint4 c1 = *reinterpret_cast<const uint4*>(piece + xl.off[1]);
    unpack4(w, c0);
    unpack4(w + 4, c1);
  }
};

// block_dot with 8-bit x: one __dp4a per 4 weights instead of two (|s| < 2^20: exact in float).
template <DType T>
__device__ __forceinline__ float block_dot8(const uint8_t* seg, int lane, const XWords8& xw,
                                            float2 xsc, float acc) {
  const WBlockWords<T> wb(seg, lane);
  int s = 0;
  if constexpr (T == DType::q8_0) {
#pragma unroll
    for (int i = 0; i < 8; ++i) s = __dp4a(static_cast<int>(wb.q(i)), static_cast<int>(xw.w[i]), s);
  } else {
    uint32_t q[4];
    wb.words(q);
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      s = __dp4a(static_cast<int>(q[i] & 0x0f0f0f0fu), static_cast<int>(xw.w[i]), s);
      s = __dp4a(static_cast<int>((q[i] >> 4) & 0x0f0f0f0fu), static_cast<int>(xw.w[4 + i]), s);
    }
  }
  return scale_block(wb, s, xsc, acc);
}

}  // namespace swapbench::mvc
