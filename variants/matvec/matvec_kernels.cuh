// The float-path matvec kernel template behind warp_row, v3, v3_small, matvec_pair.* and
// matvec_residual.*: one warp per R rows, lane l taking blocks l, l+32, ... of every row in
// increasing order through kernels/common/dequant.cuh, the xor-tree warp sum, then a store.
// What varies between variants is only where x is read from (global, or staged per thread block
// in shared memory in tiles of TILE floats), R, and the epilogue; so all are bitwise identical.
// Before the grid wait a warp fetches its rows (short rows into registers, PreloadedRows; longer
// ones into L2) and the residual its epilogue adds.
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "kernels/common/cuda_check.h"
#include "kernels/common/dequant.cuh"
#include "kernels/common/launch.cuh"
#include "variants/matvec/matvec_job.h"

namespace swapbench::mv {

// The most threads a float-path block may have: __launch_bounds__ then caps registers at 128,
// which every instantiation fits without spilling.
constexpr int kMaxWarps = 16;

// x read straight from global memory (the reference). Requires x 16-byte aligned.
struct XGlobal {
  const float* x;
  __device__ __forceinline__ void load(int /*local*/, int block, float (&v)[kQK]) const {
    const float4* p = reinterpret_cast<const float4*>(x + static_cast<size_t>(block) * kQK);
#pragma unroll
    for (int c = 0; c < 8; ++c) {
      const float4 t = __ldg(p + c);
      v[4 * c] = t.x;
      v[4 * c + 1] = t.y;
      v[4 * c + 2] = t.z;
      v[4 * c + 3] = t.w;
    }
  }
};

// x staged in shared memory. Lane l reads all 32 floats of block l: unswizzled, the 32 lanes
// would hit one bank. Chunk c (4 floats) of tile block bl is stored at chunk (c + bl) % 8, so
// the 8 lanes of each quarter-warp's 16-byte load hit 8 distinct 16-byte bank groups.
struct XShared {
  const float* s;
  __device__ __forceinline__ void load(int local, int /*block*/, float (&v)[kQK]) const {
    const float4* p = reinterpret_cast<const float4*>(s) + local * 8;
#pragma unroll
    for (int c = 0; c < 8; ++c) {
      const float4 t = p[(c + local) & 7];
      v[4 * c] = t.x;
      v[4 * c + 1] = t.y;
      v[4 * c + 2] = t.z;
      v[4 * c + 3] = t.w;
    }
  }
};

// Where float4 number i of a tile goes in the swizzled layout XShared reads: chunk c = i % 8 of
// block bl = i / 8, at chunk (c + bl) % 8.
__device__ __forceinline__ int swizzled_chunk(int i) {
  const int bl = i >> 3, c = i & 7;
  return bl * 8 + ((c + bl) & 7);
}

// Copies x[first, first + count) into the swizzled layout XShared reads; count % 32 == 0.
__device__ __forceinline__ void stage_x(float* xs, const float* x, int first, int count) {
  const float4* src = reinterpret_cast<const float4*>(x + first);
  float4* dst = reinterpret_cast<float4*>(xs);
  for (int i = static_cast<int>(threadIdx.x); i < count / 4; i += static_cast<int>(blockDim.x))
    dst[swizzled_chunk(i)] = __ldg(src + i);
}

// Blocks whose weight loads a lane issues before it consumes the first: about 40 words in flight.
template <DType T, int R>
constexpr int unroll_blocks() {
  constexpr int words = WBlock<T>::kBytes / 4 + 1;
  constexpr int u = 40 / (R * words);
  return u < 1 ? 1 : (u > 4 ? 4 : u);
}

// The most rows per warp that fit 128 registers without spilling: 8 for q8_0 and q4_*, 4 for
// f32, f16 and bf16 (x from global memory or staged). Larger rows_per_warp values round down.
template <DType T>
constexpr int max_rows() {
  return WBlock<T>::kBytes >= 64 ? 4 : 8;
}

// acc[r] += blocks [first, first + count) of row r; lane handles local blocks lane, lane+32, ...
// `first` is a multiple of 32, so the lane -> block mapping and order are those of the whole row.
// Each step issues the weight loads of U blocks of every row before consuming them in order.
template <DType T, int R, class X>
__device__ __forceinline__ void dot_blocks(const uint8_t* const (&rows)[R], const X& xs,
                                           int first, int count, int lane, float (&acc)[R]) {
  constexpr int U = unroll_blocks<T, R>();
  int i = lane;
  for (; i + kWarpSize * (U - 1) < count; i += kWarpSize * U) {
    WBlock<T> w[U][R];
#pragma unroll
    for (int u = 0; u < U; ++u)
#pragma unroll
      for (int r = 0; r < R; ++r) w[u][r].load(rows[r], first + i + kWarpSize * u);
#pragma unroll
    for (int u = 0; u < U; ++u) {
      float xv[kQK];
      xs.load(i + kWarpSize * u, first + i + kWarpSize * u, xv);
#pragma unroll
      for (int r = 0; r < R; ++r) acc[r] = w[u][r].accum(acc[r], xv);
    }
  }
  if constexpr (U > 1) {
    for (; i < count; i += kWarpSize) {
      WBlock<T> w[R];
#pragma unroll
      for (int r = 0; r < R; ++r) w[r].load(rows[r], first + i);
      float xv[kQK];
      xs.load(i, first + i, xv);
#pragma unroll
      for (int r = 0; r < R; ++r) acc[r] = w[r].accum(acc[r], xv);
    }
  }
}

// Registers a lane may spend holding weight blocks across the grid wait (PreloadedRows): with the
// dot's own ~70, an instantiation stays inside the 128 that 512-thread blocks allow.
constexpr int kPreloadRegs = 40;

// Steps of 32 blocks per row that PreloadedRows<T, R, K> holds: K = 0 (no preload) for wide
// blocks at many rows per warp, at most 2 (rows of up to 2048 columns).
template <DType T, int R>
constexpr int preload_steps() {
  constexpr int regs = static_cast<int>(sizeof(WBlock<T>) / 4) * R;
  constexpr int k = kPreloadRegs / regs;
  return k > 2 ? 2 : k;
}

// A lane's blocks lane, lane + 32, ... (K steps) of its warp's R rows, loaded into registers
// before the grid wait when the rows are that short (at most 32 K blocks: smollm2's 576- and
// 1536-column rows). Prefetching them into L2 instead leaves one L2 round trip after the wait,
// between x staged and the first dot, on the critical path of every small launch; held in
// registers, the dot waits only for x. dot() accumulates in dot_blocks' order (block lane, then
// lane + 32, each into acc[r]), so the sums keep dot_blocks' bits. Weights are never written by a
// kernel, so reading them before the wait is safe (launch.cuh).
template <DType T, int R, int K>
struct PreloadedRows {
  static constexpr int kMaxBlocks = kWarpSize * K;
  WBlock<T> w[K > 0 ? K : 1][R];

  // Whether rows of nb blocks fit, x staged in tiles of `tile_blocks` (0: x from global).
  static __host__ __device__ __forceinline__ bool fits(int nb, int tile_blocks) {
    return K > 0 && nb <= kMaxBlocks && (tile_blocks == 0 || nb <= tile_blocks);
  }
  __device__ __forceinline__ void load(const uint8_t* const (&rows)[R], int nb, int lane) {
#pragma unroll
    for (int k = 0; k < K; ++k) {
      const int b = lane + kWarpSize * k;
      if (b < nb) {
#pragma unroll
        for (int r = 0; r < R; ++r) w[k][r].load(rows[r], b);
      }
    }
  }
  // x as dot_blocks reads it, from the first (only) tile.
  template <class X>
  __device__ __forceinline__ void dot(const X& xs, int nb, int lane, float (&acc)[R]) const {
#pragma unroll
    for (int k = 0; k < K; ++k) {
      const int b = lane + kWarpSize * k;
      if (b >= nb) break;
      float xv[kQK];
      xs.load(b, b, xv);
#pragma unroll
      for (int r = 0; r < R; ++r) acc[r] = w[k][r].accum(acc[r], xv);
    }
  }
};

// Before the grid wait: a short row's blocks into `pre` (PreloadedRows::fits), a longer row's
// lines on their way to L2.
template <DType T, int R, int K>
__device__ __forceinline__ void fetch_rows_early(PreloadedRows<T, R, K>& pre, bool preload,
                                                 const uint8_t* const (&rows)[R], int nb,
                                                 uint64_t row_bytes, int lane) {
  if (preload) {
    pre.load(rows, nb, lane);
    return;
  }
#pragma unroll
  for (int r = 0; r < R; ++r)
    for (uint64_t off = uint64_t(lane) * kL2Line; off < row_bytes; off += kWarpSize * kL2Line)
      sb_prefetch_l2(rows[r] + off);
}

enum class Epilogue {
  lane0,        // lane 0 stores each of the warp's rows
  lane0_resid,  // lane 0 stores y = res + sum
  spread_resid  // lane i stores y = res + sum for row i of the warp: one coalesced access
};

// R rows per warp, blockDim.x / 32 warps per block. TILE == 0: x from global memory; else x
// staged through a TILE-float shared buffer, tile by tile (TILE % 1024 == 0 keeps tile starts on
// 32-block boundaries).
template <DType T, int R, int TILE, Epilogue E>
__global__ void __launch_bounds__(kMaxWarps * kWarpSize, 1) matvec_kernel(Job j) {
  static_assert(TILE % (kQK * kWarpSize) == 0, "tiles must start on 32-block boundaries");
  static_assert(E != Epilogue::spread_resid || R <= kWarpSize, "one lane per row");
  sb_trace_start();  // SWAPBENCH_TRACE: the rows are fetched before the grid wait
  const int lane = static_cast<int>(threadIdx.x) & (kWarpSize - 1);
  const int warp = static_cast<int>(threadIdx.x) / kWarpSize;
  const int warps = static_cast<int>(blockDim.x) / kWarpSize;
  const int row0 = (static_cast<int>(blockIdx.x) * warps + warp) * R;
  const bool active = row0 < j.rows_total;  // warp-uniform

  // Rows past the end repeat the last row (loads stay in bounds) and are never stored.
  const uint8_t* rows[R];
#pragma unroll
  for (int r = 0; r < R; ++r) {
    const int g = min(row0 + r, j.rows_total - 1);
    rows[r] = g < j.rows1 ? j.w1 + static_cast<uint64_t>(g) * j.row_bytes
                          : j.w2 + static_cast<uint64_t>(g - j.rows1) * j.row_bytes;
  }
  // No kernel writes weights, so they may be read before the previous kernel is done: under PDL
  // that overlaps its tail. Everything from x on waits.
  using Pre = PreloadedRows<T, R, preload_steps<T, R>()>;
  const bool preload = Pre::fits(j.nb, TILE / kQK);  // grid-uniform
  Pre pre;
  if (active) fetch_rows_early(pre, preload, rows, j.nb, j.row_bytes, lane);
  // The residual comes from two or more launches back (matvec_residual.h), so the lanes that
  // store read it now, from L2, and the stores wait for no round trip after the sums. Lane r
  // holds row r's for spread_resid, lane 0 every row's for lane0_resid.
  float res[E == Epilogue::lane0_resid ? R : 1] = {};
  if constexpr (E == Epilogue::spread_resid) {
    if (active && lane < R && row0 + lane < j.rows_total) res[0] = __ldcg(j.res + row0 + lane);
  } else if constexpr (E == Epilogue::lane0_resid) {
#pragma unroll
    for (int r = 0; r < R; ++r)
      if (active && lane == 0 && row0 + r < j.rows_total) res[r] = __ldcg(j.res + row0 + r);
  }
  sb_grid_wait();
  sb_grid_launch_dependents();
  float acc[R];
#pragma unroll
  for (int r = 0; r < R; ++r) acc[r] = 0.0f;

  if constexpr (TILE == 0) {
    if (active) {
      if (preload) pre.dot(XGlobal{j.x}, j.nb, lane, acc);
      else dot_blocks<T, R>(rows, XGlobal{j.x}, 0, j.nb, lane, acc);
    }
  } else {
    __shared__ __align__(16) float xs[TILE];
    constexpr int kTileBlocks = TILE / kQK;
    if (preload) {  // one tile
      stage_x(xs, j.x, 0, j.nb * kQK);
      __syncthreads();
      sb_trace_ready();  // SWAPBENCH_TRACE: x is staged, the dot is next
      if (active) pre.dot(XShared{xs}, j.nb, lane, acc);
    }
    for (int first = 0; !preload && first < j.nb; first += kTileBlocks) {
      const int count = min(kTileBlocks, j.nb - first);
      if (first > 0) __syncthreads();  // every warp is done with the previous tile
      stage_x(xs, j.x, first * kQK, count * kQK);
      __syncthreads();
      if (active) dot_blocks<T, R>(rows, XShared{xs}, first, count, lane, acc);
    }
  }
  if (!active) {
    sb_trace_warp_end();
    return;
  }

#pragma unroll
  for (int r = 0; r < R; ++r) acc[r] = warp_sum(acc[r]);
  sb_trace_warp_end();  // SWAPBENCH_TRACE: the warp's sums are done (the stores remain)

  if constexpr (E == Epilogue::spread_resid) {
    // Every lane holds every row's sum (warp_sum leaves identical bits in all lanes): lane i
    // picks row i's from registers and adds the residual it read before the wait.
    float v = acc[0];
#pragma unroll
    for (int r = 1; r < R; ++r) v = lane == r ? acc[r] : v;
    const int g = row0 + lane;
    if (lane < R && g < j.rows_total) j.y1[g] = __fadd_rn(res[0], v);
  } else if (lane == 0) {
#pragma unroll
    for (int r = 0; r < R; ++r) {
      const int g = row0 + r;
      if (g >= j.rows_total) break;
      float* y = g < j.rows1 ? j.y1 + g : j.y2 + (g - j.rows1);
      if constexpr (E == Epilogue::lane0_resid) *y = __fadd_rn(res[r], acc[r]);
      else *y = acc[r];
    }
  }
}

// Calls f(std::integral_constant<DType, T>{}) for the runtime type t.
template <class F>
void dispatch_type(DType t, F&& f) {
  switch (t) {
    case DType::f32: return f(std::integral_constant<DType, DType::f32>{});
    case DType::f16: return f(std::integral_constant<DType, DType::f16>{});
    case DType::bf16: return f(std::integral_constant<DType, DType::bf16>{});
    case DType::q8_0: return f(std::integral_constant<DType, DType::q8_0>{});
    case DType::q4_0: return f(std::integral_constant<DType, DType::q4_0>{});
    case DType::q4_1: return f(std::integral_constant<DType, DType::q4_1>{});
    default:
      throw std::invalid_argument("matvec: no CUDA kernel for type " + std::string(name(t)));
  }
}

// Calls f(std::integral_constant<int, R>{}) with R the largest of 1, 2, 4, 8 (up to MaxR) not
// above `rows`: the rows-per-warp parameter, rounded down to an instantiated power of two.
template <int MaxR, class F>
void dispatch_rows(int64_t rows, F&& f) {
  if (MaxR >= 8 && rows >= 8) return f(std::integral_constant<int, (MaxR >= 8 ? 8 : 1)>{});
  if (MaxR >= 4 && rows >= 4) return f(std::integral_constant<int, (MaxR >= 4 ? 4 : 1)>{});
  if (MaxR >= 2 && rows >= 2) return f(std::integral_constant<int, (MaxR >= 2 ? 2 : 1)>{});
  return f(std::integral_constant<int, 1>{});
}

// Launches matvec_kernel<T, R, TILE, E> over j.rows_total rows with `warps` warps per block.
template <DType T, int R, int TILE, Epilogue E>
void launch_matvec(const Job& j, int64_t warps, const LaunchCtx& ctx, const char* what) {
  if (j.rows_total <= 0) return;
  const int w = static_cast<int>(std::clamp<int64_t>(warps, 1, kMaxWarps));
  const int per_block = w * R;
  const unsigned grid = static_cast<unsigned>((j.rows_total + per_block - 1) / per_block);
  launch_kernel(what, matvec_kernel<T, R, TILE, E>, grid, static_cast<unsigned>(w * kWarpSize), 0,
                ctx, j);
}

}  // namespace swapbench::mv
