// The rmsnorm scale 1 / sqrt(mean(x^2) + eps) computed by one thread block, shared by
// rmsnorm.warp_shuffle and the fused variants that start with a norm (attn_in, ffn_in), so that a
// fused variant's xn has the same bits as rmsnorm.warp_shuffle's (STYLE rule 5).
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "kernels/common/reduce.cuh"

namespace swapbench::cuda {

// The scale of n elements whose squares sum to `total`.
__device__ __forceinline__ float rms_scale_of(float total, int32_t n, float eps) {
  return 1.0f / sqrtf(total / static_cast<float>(n) + eps);
}

// Threads [0, threads) take elements i = t, t + threads, ... (fmaf into a +0 start), then the
// block adds the partials with block_sum. blockDim.x must be a multiple of 32 and >= threads;
// threads past `threads` contribute +0, which leaves the tree's bits unchanged, so any such
// block size gives the result of a `threads`-thread block. `scratch`: kMaxWarps floats of shared
// memory. Every thread gets the scale.
__device__ __forceinline__ float rms_scale(const float* x, int32_t n, float eps, int32_t threads,
                                           float* scratch) {
  const int32_t tid = static_cast<int32_t>(threadIdx.x);
  float ss = 0.0f;
  // Unrolled so that the loads of 8 iterations are in flight together (x sits in L2: one round
  // trip per 8 elements, not per element); the fmaf order, and so the bits, are unchanged.
  if (tid < threads) {
#pragma unroll 8
    for (int32_t i = tid; i < n; i += threads) ss = fmaf(__ldg(x + i), __ldg(x + i), ss);
  }
  return rms_scale_of(block_sum(ss, scratch), n, eps);
}

// One normalised element as rmsnorm computes it: (x * scale) * weight, two roundings.
__device__ __forceinline__ float rms_apply(float x, float scale, float weight) {
  return __fmul_rn(__fmul_rn(x, scale), weight);
}

}  // namespace swapbench::cuda
