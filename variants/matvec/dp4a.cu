// `matvec.<type>` (q8_0, q4_0, q4_1) on integers: each thread block first quantizes x to int8
// per 32-element block (scale amax / 127 and the block's sum of q, like ggml's q8_1) into shared
// memory, then dots weight blocks with __dp4a, four threads per block (ggml's mmvq layout).
// Saves bandwidth and issue slots: x is read as 1.25 bytes per element instead of 4, 4 MACs
// per instruction, and consecutive threads read consecutive weight bytes (coalesced).
// Not bit-identical: x is rounded to 8 bits (per element at most 1/254 of its block's amax) and
// sums are reassociated; NMSE <= kDp4aNmseBound (dp4a_bound.h says why).
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "kernels/common/cuda_check.h"
#include "kernels/common/launch.cuh"
#include "kernels/common/dequant.cuh"
#include "kernels/common/traffic.h"
#include "kernels/matvec/matvec.h"
#include "variants/matvec/dp4a_bound.h"
#include "variants/matvec/matvec_kernels.cuh"

namespace swapbench::matvec {
namespace {

constexpr int kMaxWarps = 16;
constexpr int kSmemLimit = 48 * 1024;  // dynamic shared memory without an opt-in attribute
constexpr int kSmemPerBlock = 32 + 8;  // int8 x and {d, sum q} per 32 elements

// Word (of 8) where the 4 elements 4 * part .. 4 * part + 3 of a block are stored: natural order
// for q8_0 (thread p reads elements 8p .. 8p+7); for q4_*, elements 4p.. and 16+4p.. side by
// side, the pair a thread's nibble word multiplies.
template <DType T>
__device__ __forceinline__ int x_slot(int part) {
  if constexpr (T == DType::q8_0) return part;
  else return part < 4 ? 2 * part : 2 * (part - 4) + 1;
}

template <DType T, int R>
__global__ void __launch_bounds__(kMaxWarps * mv::kWarpSize, 1)
    dp4a_kernel(const uint8_t* __restrict__ w, const float* __restrict__ x, float* __restrict__ y,
                int rows, int nb, uint64_t row_bytes) {
  sb_grid_wait();
  sb_grid_launch_dependents();
  extern __shared__ __align__(16) uint8_t smem[];
  int* xq = reinterpret_cast<int*>(smem);                      // nb * 8 words of int8 x 4
  float2* xd = reinterpret_cast<float2*>(smem + 32 * nb);      // nb {scale, sum of q}
  const int lane = static_cast<int>(threadIdx.x) & 31;
  const int warp = static_cast<int>(threadIdx.x) >> 5;
  const int warps = static_cast<int>(blockDim.x) >> 5;

  // 1. Quantize x: 8 lanes per block, 4 elements each; the loop bound is warp-uniform so every
  //    lane reaches the shuffles.
  const int n4 = nb * 8;
  for (int base = warp * 32; base < n4; base += warps * 32) {
    const int e4 = base + lane;
    const bool ok = e4 < n4;  // the same for all 8 lanes of a block
    const float4 v = ok ? __ldg(reinterpret_cast<const float4*>(x) + e4) : make_float4(0, 0, 0, 0);
    float amax = fmaxf(fmaxf(fabsf(v.x), fabsf(v.y)), fmaxf(fabsf(v.z), fabsf(v.w)));
#pragma unroll
    for (int o = 4; o > 0; o >>= 1) amax = fmaxf(amax, __shfl_xor_sync(mv::kFullMask, amax, o));
    const float id = amax > 0.0f ? 127.0f / amax : 0.0f;
    const int q0 = __float2int_rn(v.x * id), q1 = __float2int_rn(v.y * id);
    const int q2 = __float2int_rn(v.z * id), q3 = __float2int_rn(v.w * id);
    int sum = q0 + q1 + q2 + q3;
#pragma unroll
    for (int o = 4; o > 0; o >>= 1) sum += __shfl_xor_sync(mv::kFullMask, sum, o);
    if (ok) {
      const int b = e4 >> 3, part = e4 & 7;
      xq[b * 8 + x_slot<T>(part)] = static_cast<int>(
          (static_cast<uint32_t>(q0) & 0xffu) | (static_cast<uint32_t>(q1) & 0xffu) << 8 |
          (static_cast<uint32_t>(q2) & 0xffu) << 16 | static_cast<uint32_t>(q3) << 24);
      if (part == 0) xd[b] = make_float2(amax / 127.0f, static_cast<float>(sum));
    }
  }
  __syncthreads();

  // 2. Dot products: R rows per warp; lane = 4 * (block within a group of 8) + part.
  const int row0 = (static_cast<int>(blockIdx.x) * warps + warp) * R;
  if (row0 >= rows) return;  // warp-uniform
  const uint8_t* rp[R];
#pragma unroll
  for (int r = 0; r < R; ++r) rp[r] = w + static_cast<uint64_t>(min(row0 + r, rows - 1)) * row_bytes;
  const int p = lane & 3;
  float acc[R];
#pragma unroll
  for (int r = 0; r < R; ++r) acc[r] = 0.0f;

#pragma unroll 2
  for (int b = lane >> 2; b < nb; b += 8) {
    const int2 xv = reinterpret_cast<const int2*>(xq)[b * 4 + p];
    const float2 xs = xd[b];
#pragma unroll
    for (int r = 0; r < R; ++r) {
      if constexpr (T == DType::q8_0) {
        const auto* h = reinterpret_cast<const uint16_t*>(rp[r] + static_cast<size_t>(b) * 34);
        const float dw = mv::half_bits_to_f32(__ldg(h));
        const uint16_t* qs = h + 1 + 4 * p;  // 2-byte aligned: four 16-bit loads
        const int w0 = static_cast<int>(__ldg(qs) | static_cast<uint32_t>(__ldg(qs + 1)) << 16);
        const int w1 =
            static_cast<int>(__ldg(qs + 2) | static_cast<uint32_t>(__ldg(qs + 3)) << 16);
        const int si = __dp4a(w0, xv.x, __dp4a(w1, xv.y, 0));
        acc[r] = fmaf(dw * xs.x, static_cast<float>(si), acc[r]);
      } else if constexpr (T == DType::q4_0) {
        const auto* h = reinterpret_cast<const uint16_t*>(rp[r] + static_cast<size_t>(b) * 18);
        const float dw = mv::half_bits_to_f32(__ldg(h));
        const uint16_t* qs = h + 1 + 2 * p;
        const uint32_t u = __ldg(qs) | static_cast<uint32_t>(__ldg(qs + 1)) << 16;
        const int si = __dp4a(static_cast<int>(u & 0x0f0f0f0fu), xv.x,
                              __dp4a(static_cast<int>((u >> 4) & 0x0f0f0f0fu), xv.y, 0));
        // sum (q - 8) x8 over the block = sum_p (si_p - 2 * sumq): exact in integers.
        acc[r] = fmaf(dw * xs.x, static_cast<float>(si) - 2.0f * xs.y, acc[r]);
      } else {
        static_assert(T == DType::q4_1, "dp4a handles q8_0, q4_0, q4_1");
        const auto* u32 = reinterpret_cast<const uint32_t*>(rp[r] + static_cast<size_t>(b) * 20);
        const uint32_t dm = __ldg(u32);
        const uint32_t u = __ldg(u32 + 1 + p);
        const int si = __dp4a(static_cast<int>(u & 0x0f0f0f0fu), xv.x,
                              __dp4a(static_cast<int>((u >> 4) & 0x0f0f0f0fu), xv.y, 0));
        const float dw = mv::half_bits_to_f32(dm), mw = mv::half_bits_to_f32(dm >> 16);
        // Each of the block's 4 threads adds a quarter of m * d_x * sum q.
        acc[r] = fmaf(dw * xs.x, static_cast<float>(si), fmaf(mw * xs.x, 0.25f * xs.y, acc[r]));
      }
    }
  }
#pragma unroll
  for (int r = 0; r < R; ++r) acc[r] = mv::warp_sum(acc[r]);
  if (lane == 0) {
#pragma unroll
    for (int r = 0; r < R; ++r)
      if (row0 + r < rows) y[row0 + r] = acc[r];
  }
}

int smem_bytes(int64_t cols) { return static_cast<int>(cols / 32 * kSmemPerBlock); }

void launch(const Args& a, const LaunchCtx& ctx) {
  if (a.rows <= 0) return;
  const int warps = static_cast<int>(std::clamp<int64_t>(ctx.param("warps"), 1, kMaxWarps));
  const int nb = a.cols / 32;
  const uint64_t rb = row_bytes(a.type, static_cast<uint64_t>(a.cols));
  const auto* w = static_cast<const uint8_t*>(a.w);
  auto go = [&](auto t) {
    constexpr DType T = decltype(t)::value;
    mv::dispatch_rows<4>(ctx.param("rows_per_warp"), [&](auto r) {
      constexpr int R = decltype(r)::value;
      const int per_block = warps * R;
      const unsigned grid = static_cast<unsigned>((a.rows + per_block - 1) / per_block);
      launch_kernel("matvec.dp4a", dp4a_kernel<T, R>, grid, static_cast<unsigned>(warps * 32),
                    static_cast<size_t>(smem_bytes(a.cols)), ctx, w, a.x, a.y, a.rows, nb, rb);
    });
  };
  switch (a.type) {
    case DType::q8_0: return go(std::integral_constant<DType, DType::q8_0>{});
    case DType::q4_0: return go(std::integral_constant<DType, DType::q4_0>{});
    case DType::q4_1: return go(std::integral_constant<DType, DType::q4_1>{});
    default: throw std::invalid_argument("matvec.dp4a: no kernel for " + std::string(name(a.type)));
  }
}

}  // namespace

SB_ON_LOAD {
  for (DType t : {DType::q8_0, DType::q4_0, DType::q4_1}) {
    register_variant<Args>(
        {.slot = slot_key("matvec", t),
         .name = "dp4a",
         .backend = Backend::cuda,
         .equality = Equality::reassociates,
         .rationale = "Each thread block quantizes x to int8 per 32-element block in shared "
                      "memory (no extra launch, no workspace), then dots the weight blocks with "
                      "__dp4a, four threads per block reading consecutive bytes. Less x traffic "
                      "and fewer instructions; x is rounded to 8 bits (error <= amax/254 per "
                      "element), so NMSE <= " + std::to_string(kDp4aNmseBound) + ", not bitwise.",
         .params = {{.name = "warps", .min = 1, .max = kMaxWarps, .def = 8,
                     .doc = "warps per thread block"},
                    {.name = "rows_per_warp", .min = 1, .max = 4, .def = 2,
                     .doc = "rows per warp (rounded down to 1, 2 or 4); more rows per block "
                            "amortize the per-block quantization of x"}},
         .applies =
             [](const Shape& s) -> std::optional<std::string> {
               if (s.cols % 32 != 0) return "cols % 32 != 0";
               return require(smem_bytes(s.cols) <= kSmemLimit,
                              "cols " + std::to_string(s.cols) +
                                  ": int8 x needs more than 48 KB of shared memory");
             },
         .bytes = [t](const Shape& s) { return traffic::matvec_bytes(t, s, false); },
         .flops = [](const Shape& s) { return traffic::matvec_flops(s); }},
        &launch);
  }
}

}  // namespace swapbench::matvec
