// Device reductions shared by every CUDA variant: warp sum/max by xor shuffle, a block sum with
// one cross-warp step, and the (value, index) argmax pair reduction. One copy, so that two
// variants that claim the same summation order really use the same one (STYLE rule 5).
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace swapbench::cuda {

constexpr int kWarpSize = 32;
constexpr unsigned kFullMask = 0xffffffffu;
constexpr int kMaxWarps = 1024 / kWarpSize;  // shared scratch of a block reduction, in floats

// Sum over the 32 lanes by a butterfly: every lane ends with the same value, and the order of the
// additions is fixed (lane pairs at distance 16, 8, 4, 2, 1), so the result is deterministic.
__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
  for (int off = kWarpSize / 2; off > 0; off >>= 1) v += __shfl_xor_sync(kFullMask, v, off);
  return v;
}

// Maximum over the 32 lanes (fmaxf: a NaN lane loses to any number); every lane gets it.
__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
  for (int off = kWarpSize / 2; off > 0; off >>= 1) v = fmaxf(v, __shfl_xor_sync(kFullMask, v, off));
  return v;
}

// Sum over the whole block; every thread gets the result. blockDim.x must be a multiple of 32
// (at most 1024); `scratch` is kMaxWarps floats of shared memory. Order: warp butterflies, then
// a butterfly over the per-warp sums (warps past the last read as 0). Ends with a barrier so
// the caller may reuse `scratch` at once.
__device__ __forceinline__ float block_sum(float v, float* scratch) {
  const int lane = static_cast<int>(threadIdx.x) % kWarpSize;
  const int warp = static_cast<int>(threadIdx.x) / kWarpSize;
  const int warps = static_cast<int>(blockDim.x) / kWarpSize;
  v = warp_sum(v);
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  v = warp_sum(lane < warps ? scratch[lane] : 0.0f);
  __syncthreads();
  return v;
}

// A candidate of an argmax: `index` < 0 means "none yet" (only NaNs seen). The order is total:
// a larger value wins, equal values (+0 == -0 included) go to the lower index, and a real
// candidate beats none; so any reduction tree gives the answer of the left-to-right scan.
struct ArgMaxPair {
  float value;
  int32_t index;
};

__device__ __forceinline__ ArgMaxPair argmax_none() { return {0.0f, -1}; }

__device__ __forceinline__ bool argmax_better(const ArgMaxPair& a, const ArgMaxPair& b) {
  if (a.index < 0) return false;
  if (b.index < 0) return true;
  return a.value > b.value || (a.value == b.value && a.index < b.index);
}

// Offers x[i]; NaN never becomes a candidate.
__device__ __forceinline__ void argmax_offer(ArgMaxPair& best, float value, int32_t index) {
  if (value != value) return;
  const ArgMaxPair c{value, index};
  if (argmax_better(c, best)) best = c;
}

__device__ __forceinline__ ArgMaxPair warp_argmax(ArgMaxPair p) {
#pragma unroll
  for (int off = kWarpSize / 2; off > 0; off >>= 1) {
    const ArgMaxPair o{__shfl_xor_sync(kFullMask, p.value, off),
                       __shfl_xor_sync(kFullMask, p.index, off)};
    if (argmax_better(o, p)) p = o;
  }
  return p;
}

// Argmax over the block; every thread gets the result. blockDim.x a multiple of 32; `scratch`
// is kMaxWarps pairs of shared memory. Ends with a barrier like block_sum.
__device__ __forceinline__ ArgMaxPair block_argmax(ArgMaxPair p, ArgMaxPair* scratch) {
  const int lane = static_cast<int>(threadIdx.x) % kWarpSize;
  const int warp = static_cast<int>(threadIdx.x) / kWarpSize;
  const int warps = static_cast<int>(blockDim.x) / kWarpSize;
  p = warp_argmax(p);
  if (lane == 0) scratch[warp] = p;
  __syncthreads();
  p = warp_argmax(lane < warps ? scratch[lane] : argmax_none());
  __syncthreads();
  return p;
}

// Threads for a one-block kernel asked for `requested`: rounded up to whole warps, 32..1024.
inline int whole_warps(int64_t requested) {
  const int64_t t = (requested + kWarpSize - 1) / kWarpSize * kWarpSize;
  return static_cast<int>(t < kWarpSize ? kWarpSize : (t > 1024 ? 1024 : t));
}

}  // namespace swapbench::cuda
