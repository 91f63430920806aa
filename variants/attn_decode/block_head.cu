// CUDA reference of `attn_decode`: one block per query head; its warps take tiles of 32 positions
// in turn (lane = position for the scores, lane = output element for the weighted sum of V),
// keep an online-softmax state (running max, denominator, accumulators) in float, and combine
// the per-warp states in shared memory at the end. Saves host work: `pos` is read on the device
// and nothing depends on it at launch, so one captured step serves every position. Not
// bit-identical to the CPU reference (double, two passes): float dot products and a running max.
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>

#include "kernels/attn_decode/attn_decode.h"
#include "kernels/common/cuda_check.h"
#include "kernels/common/launch.cuh"
#include "kernels/common/reduce.cuh"
#include "kernels/common/traffic.h"

namespace swapbench::attn_decode {
namespace {

using cuda::kFullMask;
using cuda::kWarpSize;

// kPerLane: output elements per lane (head_dim <= 32 * kPerLane); lane l owns l, l + 32, ...
// Shared memory: q (pre-scaled), then per warp its max, its denominator and head_dim sums.
template <int kPerLane>
__global__ void __launch_bounds__(1024) block_head_kernel(Args a) {
  sb_grid_wait();
  sb_grid_launch_dependents();
  extern __shared__ float4 smem4[];
  float* q_s = reinterpret_cast<float*>(smem4);
  const int32_t hd = a.head_dim;
  const int32_t warps = static_cast<int32_t>(blockDim.x) / kWarpSize;
  float* m_s = q_s + kMaxHeadDim;
  float* l_s = m_s + warps;
  float* acc_s = l_s + warps;
  const int32_t tid = static_cast<int32_t>(threadIdx.x);
  const int32_t lane = tid % kWarpSize, warp = tid / kWarpSize;
  const int32_t h = static_cast<int32_t>(blockIdx.x);
  const int64_t row = static_cast<int64_t>(a.kv_heads) * hd;
  const int64_t g = static_cast<int64_t>(h / (a.heads / a.kv_heads)) * hd;
  const float* K = a.k_cache + g;
  const float* V = a.v_cache + g;

  const float scale = 1.0f / sqrtf(static_cast<float>(hd));
  for (int32_t d = tid; d < hd; d += static_cast<int32_t>(blockDim.x))
    q_s[d] = a.q[static_cast<int64_t>(h) * hd + d] * scale;
  __syncthreads();

  const int32_t n = min(*a.pos + 1, a.max_ctx);  // positions 0..pos (never past the cache)
  float m = -INFINITY;  // running max of this warp's scores, the same in every lane
  float l = 0.0f;       // this lane's share of the softmax denominator, scaled to m
  float acc[kPerLane];
#pragma unroll
  for (int e = 0; e < kPerLane; ++e) acc[e] = 0.0f;

  for (int32_t base = warp * kWarpSize; base < n; base += warps * kWarpSize) {
    const int32_t t = base + lane;
    float s = -INFINITY;
    if (t < n) {
      const float4* k4 = reinterpret_cast<const float4*>(K + t * row);
      const float4* q4 = reinterpret_cast<const float4*>(q_s);
      float4 d4 = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
#pragma unroll
      for (int j = 0; j < kPerLane * kWarpSize / 4; ++j) {
        if (4 * j >= hd) break;
        const float4 k = __ldg(k4 + j), q = q4[j];
        d4.x = fmaf(q.x, k.x, d4.x);
        d4.y = fmaf(q.y, k.y, d4.y);
        d4.z = fmaf(q.z, k.z, d4.z);
        d4.w = fmaf(q.w, k.w, d4.w);
      }
      s = (d4.x + d4.y) + (d4.z + d4.w);
    }
    const float m_new = fmaxf(m, cuda::warp_max(s));  // finite: lane 0's position is valid
    const float corr = expf(m - m_new);               // 0 on the first tile (m = -inf)
    const float p = expf(s - m_new);                  // 0 for positions past n
    l = fmaf(l, corr, p);
#pragma unroll
    for (int e = 0; e < kPerLane; ++e) acc[e] *= corr;
    const int32_t count = min(kWarpSize, n - base);
#pragma unroll 4
    for (int32_t u = 0; u < count; ++u) {
      const float pu = __shfl_sync(kFullMask, p, u);
      const float* v = V + (base + u) * row;
#pragma unroll
      for (int e = 0; e < kPerLane; ++e) {
        const int32_t d = lane + e * kWarpSize;
        if (d < hd) acc[e] = fmaf(pu, __ldg(v + d), acc[e]);
      }
    }
    m = m_new;
  }

  l = cuda::warp_sum(l);
  if (lane == 0) {
    m_s[warp] = m;
    l_s[warp] = l;
  }
#pragma unroll
  for (int e = 0; e < kPerLane; ++e) {
    const int32_t d = lane + e * kWarpSize;
    if (d < hd) acc_s[warp * hd + d] = acc[e];
  }
  __syncthreads();

  // Combine: rescale every warp's state to the block's max. A warp that saw no position has
  // m = -inf, so its factor is exp(-inf) = 0 and its zeros drop out.
  float mx = -INFINITY;
  for (int32_t w = 0; w < warps; ++w) mx = fmaxf(mx, m_s[w]);
  float denom = 0.0f;
  for (int32_t w = 0; w < warps; ++w) denom = fmaf(l_s[w], expf(m_s[w] - mx), denom);
  const float inv = 1.0f / denom;
  for (int32_t d = tid; d < hd; d += static_cast<int32_t>(blockDim.x)) {
    float o = 0.0f;
    for (int32_t w = 0; w < warps; ++w) o = fmaf(acc_s[w * hd + d], expf(m_s[w] - mx), o);
    a.out[static_cast<int64_t>(h) * hd + d] = o * inv;
  }
}

size_t shared_bytes(int32_t head_dim, int warps) {
  return sizeof(float) * (kMaxHeadDim + 2 * size_t(warps) + size_t(warps) * size_t(head_dim));
}

std::optional<std::string> applies(const Shape& s) {
  if (auto r = require(s.heads > 0 && s.kv_heads > 0 && s.heads % s.kv_heads == 0,
                       "heads must be a positive multiple of kv_heads"))
    return r;
  if (auto r = require(s.head_dim > 0 && s.head_dim <= kMaxHeadDim && s.head_dim % 4 == 0,
                       "head_dim must be a multiple of 4, at most 256 (float4 rows)"))
    return r;
  return require(s.max_ctx > 0, "max_ctx must be positive");
}

void launch(const Args& a, const LaunchCtx& ctx) {
  if (reinterpret_cast<uintptr_t>(a.k_cache) % alignof(float4) != 0)
    throw std::invalid_argument("attn_decode.block_head: k_cache must be 16-byte aligned");
  const int warps = static_cast<int>(ctx.param("warps"));
  const size_t smem = shared_bytes(a.head_dim, warps);
  const dim3 grid(static_cast<unsigned>(a.heads)), block(static_cast<unsigned>(warps * kWarpSize));
  const auto kernel = a.head_dim <= 32    ? block_head_kernel<1>
                      : a.head_dim <= 64  ? block_head_kernel<2>
                      : a.head_dim <= 128 ? block_head_kernel<4>
                                          : block_head_kernel<8>;
  launch_kernel("attn_decode.block_head", kernel, grid, block, smem, ctx, a);
}

}  // namespace

SB_ON_LOAD {
  static_assert(sizeof(float) * (kMaxHeadDim + 2 * 32 + 32 * kMaxHeadDim) <= 48 * 1024,
                "the largest block (32 warps, head_dim 256) must fit the default shared memory");
  register_variant<Args>(
      {.slot = "attn_decode",
       .name = "block_head",
       .backend = Backend::cuda,
       .equality = Equality::bitwise,
       .rationale = "One block per query head; each warp scores 32 positions at a time (one per "
                    "lane, float4 rows of K), updates an online softmax in float and accumulates "
                    "V with lanes over head_dim; warps combine in shared memory. Reads pos on the "
                    "device. Only `heads` blocks: at long contexts most SMs idle, which split-K "
                    "variants address.",
       // 16 warps: on an H200, 4.6 / 9.6 / 67 us at pos 0 / 300 / 4000 for smollm2-135m
       // (8 warps: 4.0 / 13.9 / 99 us; 32 warps: 6.8 / 11.9 / 58 us).
       .params = {{.name = "warps", .min = 1, .max = 32, .def = 16,
                   .doc = "warps per block (positions are dealt to warps in tiles of 32); "
                          "changes the summation order"}},
       .applies = applies,
       .bytes = [](const Shape& s) { return traffic::attn_bytes(s, double(s.max_ctx)); },
       .flops = [](const Shape& s) { return traffic::attn_flops(s, double(s.max_ctx)); }},
      &launch);
}

}  // namespace swapbench::attn_decode
