// The Io (coalesced_kernels.cuh's hooks) of wo_ffn_in.coalesced_dp4a: one launch of the coalesced
// ring kernel over two matrices in sequence. Groups [0, dim / 2) are row pairs of Wo (x += Wo att,
// as matvec_residual.coalesced_dp4a), the rest are gate/up row pairs of the FFN (act, as
// ffn_in.coalesced_dp4a). Every warp streams its Wo groups first; its ring already holds FFN pieces
// while it sums the last of them, so the weight stream does not stop at the boundary where two
// launches drain and refill it. Measured, it is slower than those two launches (docs/results.md,
// thirteenth session): the barrier waits for the Wo rows of the blocks that start late, behind
// the FFN pieces the early blocks already asked for, and then every block restarts at once, where
// a launch boundary lets each SM move on by itself.
//
// The FFN's x is the whole new x, written by every block: barrier() is a grid-wide barrier (an
// arrival counter in the call's zeroed memory), which needs every block of the grid resident at
// once. launch_io's grid is at most the blocks that fit on the device at once, and the only other
// grids that can hold an SM meanwhile (attention, and the launch before it, under PDL) end without
// waiting for this one. A barrier that still waits past kBarrierTimeoutNs (an SM held by another
// process) traps: the step fails with a launch error instead of hanging.
#pragma once

#include <cstdint>

#include "kernels/common/launch.cuh"
#include "variants/ffn_in/gate_up_swiglu_op.cuh"
#include "variants/matvec/coalesced_norm.cuh"

namespace swapbench::wo_ffn_in {

constexpr uint64_t kBarrierTimeoutNs = 2'000'000'000;  // 2 s: far beyond any step

// Thread 0 of each block: arrive, wait until every block of the grid has arrived, leave. The last
// block to leave resets both counters, so the zeroed memory is zero again when the call ends.
// The caller syncs its block and fences before, and syncs the block after.
__device__ __forceinline__ void grid_barrier(uint32_t* counters) {
  uint32_t* arrived = counters;
  uint32_t* left = counters + 1;
  const uint32_t blocks = gridDim.x;
  atomicAdd(arrived, 1u);
  uint64_t start;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(start));
  for (;;) {
    uint32_t n;
    asm volatile("ld.acquire.gpu.global.u32 %0, [%1];" : "=r"(n) : "l"(arrived) : "memory");
    if (n >= blocks) break;
    uint64_t now;
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(now));
    if (now - start > kBarrierTimeoutNs) __trap();
  }
  if (atomicAdd(left, 1u) == blocks - 1) {  // every block has seen `arrived` complete
    *arrived = 0;
    *left = 0;
  }
}

struct WoFfnIo {
  static constexpr int kRows = 2;
  static constexpr size_t kScratchBytes = mvc::kNormScratchBytes;
  static constexpr bool kTwoPhase = true;
  const uint8_t* wo;  // dim x dim
  const float* att;
  float* x;  // residual, updated in place by the first phase
  const float* norm;
  float eps;
  int dim;
  ffn_in::GateUpSwigluOp op;
  uint32_t* counters;  // two, in zeroed memory

  __device__ __forceinline__ int phase1_groups() const { return dim / 2; }
  __device__ __forceinline__ const uint8_t* row(const mvc::Job& j, int row) const {
    if (row < dim) return wo + static_cast<uint64_t>(row) * j.row_bytes;
    const int u = row - dim;
    return op.row(u >> 1, u & 1);
  }
  struct Pre {};
  __device__ __forceinline__ Pre pre_wait(const mvc::Job&) const { return {}; }
  // First phase: x of the dots is att, from the launch before.
  __device__ __forceinline__ mvc::XLoaded load_x(const mvc::Job& j) const {
    return mvc::load_one_pass(mvc::XPlain{att}, j.nb * 8);
  }
  template <int XB>
  __device__ __forceinline__ void stage_x(const mvc::Job& j, const Pre&, const mvc::XLoaded& l,
                                          void*, uint32_t* xq, float2* xs) const {
    if (l.kn == 0) return mvc::quantize_x<XB>(mvc::XPlain{att}, j.nb, xq, xs);
    mvc::quantize_pass<XB>(l.v, 0, l.kn, j.nb * 8, xq, xs);
  }
  // The residual of a Wo pair, before the grid wait: attention and the launch before it do not
  // write x.
  template <int R>
  __device__ __forceinline__ float early(const mvc::Job&, int g, int /*tw*/, int lane) const {
    const int r = g * R + lane;
    return lane < R && r < dim ? __ldcg(x + r) : 0.0f;
  }
  template <int P, int R>
  __device__ __forceinline__ void store_in(const mvc::Job&, int g, int lane, const float (&sum)[R],
                                           int ordinal, float early) const {
    static_assert(R == 2, "Wo rows and gate/up units go in pairs");
    if constexpr (P == 1) {
      const float v = lane == 0 ? sum[0] : sum[1];
      const int r = g * R + lane;
      if (lane < R) x[r] = __fadd_rn(ordinal == 0 ? early : x[r], v);  // as matvec_residual
    } else if (lane == 0) {
      op.store(g - phase1_groups(), sum);
    }
  }

  // Between the phases, every thread once: the norm weight's loads first (their round trip
  // overlaps the wait), then the grid-wide barrier (cooperative groups' grid sync: a block sync,
  // thread 0 fences and arrives, the block waits for it), then x's loads from L2 where one pass of
  // quantize_x covers the row (x is written by the other blocks: never a stale L1 line).
  struct Next {
    mvc::NormWeight w;
    mvc::XLoaded x;
  };
  __device__ __forceinline__ Next barrier(const mvc::Job&) const {
    Next n;
    n.w = mvc::load_norm_weight(norm, dim);
    __syncthreads();  // every warp is past its Wo groups (stored, xq no longer read)
    if (threadIdx.x == 0) {
      __threadfence();  // the block's x stores (ordered before by the block sync), device-wide
      grid_barrier(counters);
    }
    __syncthreads();
    sb_grid_launch_dependents();  // down may read x before its own wait: x is final now
    n.x = mvc::load_one_pass(mvc::XAs<mvc::XFrom::l2>{x}, dim / 4);  // nothing unless one pass
    return n;
  }
  // xn = rmsnorm(x) staged as the FFN's x in NormPairIo's arithmetic, so the same bytes as
  // ffn_in.coalesced_dp4a launched with as many threads per block.
  template <int XB>
  __device__ __forceinline__ void stage_next(const mvc::Job& j, const Next& n, void* scratch,
                                             uint32_t* xq, float2* xs) const {
    mvc::stage_normed<XB, mvc::XFrom::l2>(x, norm, eps, dim, j.nb, n.x, n.w,
                                          static_cast<float*>(scratch), xq, xs);
    __syncthreads();
  }
};

}  // namespace swapbench::wo_ffn_in
