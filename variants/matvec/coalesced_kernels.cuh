// The kernel behind matvec*.coalesced, matvec*.coalesced_dp4a (x as int8, XB = 8: one __dp4a
// per weight word, NMSE <= 1e-3 as matvec.dp4a) and matvec*.overlap (the same kernel launched by
// Tuning: small launches share the SM so consecutive ones overlap under PDL), for q8_0, q4_0 and
// q4_1 rows whose byte length is a multiple of 16, or short rows in the span layout (span_rows:
// the group's rows copied as one run, for 576-column models).
//
// Weights: each warp owns groups of R rows and streams them as "pieces" (32 blocks of each of
// its R rows: 1088 bytes per row for q8_0, 576 for q4_0, 640 for q4_1, all multiples of 16)
// with 16-byte cp.async copies, lane-consecutive, so every warp instruction moves 512 contiguous
// bytes, straight into a warp-private ring of S pieces in shared memory (no registers held,
// S - 1 pieces in flight per warp while it computes one; S = 8, 6, 5 or 4, the most that fits). The
// copies of the first pieces are issued before griddepcontrol.wait: under PDL weight bytes already
// flow while the previous kernel finishes (weights are never written by a kernel). x: quantized
// once per thread block into shared memory as a 16-bit integer per element, per 32-element block
// with scale amax / 32767, split into a signed high byte and an unsigned low byte (x = d * (256 hi
// + lo)), so each 4-byte weight word is dotted with two __dp4a. The error is at most amax / 65534
// per element: NMSE <= 32 / 65534^2 = 7.5e-9 against exact x (see kX16NmseWorst), inside the float
// paths' 1e-6 test bound; integer sums are exact. Compute: lane l dots block l of the piece for all
// R rows from the ring, reusing its x words (four 16-byte shared loads) for the R rows; one float
// accumulator per row, the xor-tree warp sum at the end of the group, lane r stores row r (x's
// integer form and the block dots: coalesced_dot.cuh). Hooks (Io below): where x comes from, which
// weight row a group's row r is and what is stored are a compile-time policy, so that fused slots
// (attn_in.coalesced, ffn_in.coalesced: coalesced_norm.cuh) reuse the ring without a copy of the
// kernel.
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "kernels/common/cuda_check.h"
#include "kernels/common/dequant.cuh"
#include "kernels/common/launch.cuh"
#include "kernels/common/quant.h"
#include "variants/matvec/coalesced_dot.cuh"
#include "variants/matvec/matvec_job.h"

namespace swapbench::mvc {

constexpr int kPieceBlocks = 32;  // blocks of each row per piece: one per lane
constexpr int kMaxWarps = 16;     // threads per block <= 512
// x must fit beside at least one warp's ring: 64 KB of x is cols <= 29120.
constexpr int64_t kMaxXBytes = 64 * 1024;

// The row-segment of a piece: 32 weight blocks (block_bytes, coalesced_dot.cuh).
template <DType T>
__host__ __device__ constexpr int seg_bytes() {
  constexpr int s = kPieceBlocks * block_bytes<T>();
  static_assert(s % 16 == 0, "a piece's row segment must be whole 16-byte copies");
  return s;
}

// One launch's rows (mv::Job: rows [0, rows1) of w1 -> y1, the rest of w2 -> y2, `res` added
// when set), whose row_bytes here is a multiple of 16 or of a span (span_rows), and the ring's
// tuning.
struct Job : mv::Job {
  // matvec.overlap (Tuning below); coalesced leaves it off.
  int l2_groups = 0;           // each warp's first l2_groups groups prefetched into L2 first
  int pieces_before_wait = 3;  // ring pieces a warp issues before the grid wait; launch_io sets
                               // it from Tuning::pieces_before_wait
};

// smem: a shared-space address (__cvta_generic_to_shared), converted once by the caller.
__device__ __forceinline__ void cp_async16(uint32_t smem, const void* gmem) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" ::"r"(smem), "l"(gmem) : "memory");
}
__device__ __forceinline__ void cp_async_commit() {
  asm volatile("cp.async.commit_group;" ::: "memory");
}
// The same for 4 bytes (through L1: the 16-byte form alone may bypass it).
__device__ __forceinline__ void cp_async4(uint32_t smem, const void* gmem) {
  asm volatile("cp.async.ca.shared.global [%0], [%1], 4;" ::"r"(smem), "l"(gmem) : "memory");
}
template <int N>
__device__ __forceinline__ void cp_async_wait() {
  asm volatile("cp.async.wait_group %0;" ::"n"(N) : "memory");
}

enum class Epilogue { store, add_residual };

// The hooks of coalesced_kernel, a policy passed by value beside the Job. An Io provides:
//   static constexpr int kRows;              rows per group it needs (0: any, the launcher picks)
//   static constexpr size_t kScratchBytes;   shared memory beside x for stage_x (16-byte multiple)
//   const uint8_t* row(const Job&, int row) const;          row < j.rows_total
//   Pre pre_wait(const Job&) const;   every thread, before the grid wait: what stage_x needs that
//                                     no kernel of the step writes (the norm weight), so that its
//                                     round trip to memory is off the path from the wait
//   XLoaded load_x(const Job&) const; every thread, right after the grid wait: x's loads for
//                                     stage_x (kn = 0: x takes more than one pass, none loaded),
//                                     issued before the rest of the ring's copies
//   template <int XB> void stage_x(const Job&, const Pre&, const XLoaded&, void* scratch,
//                                  uint32_t* xq, float2* xs) const;
//                                 every thread, after load_x: x into xq, xs (quantize_x)
//   template <int R> float early(const Job&, int g, int tw, int lane) const;  before the grid
//                                 wait, g the warp's first group and tw the grid's warps (its
//                                 later groups are g + k tw): what `lane`'s stores need that
//                                 launches two or more back wrote (launch.cuh), e.g. the residual,
//                                 or that no launch writes (the rope table); every lane calls
//   template <int R> void store(const Job&, int g, int lane, const float (&sum)[R],
//                               int ordinal, float early) const;
//                                 group g's R row sums, identical in every lane; every lane calls;
//                                 ordinal: k when g is the warp's group gw + k tw (0: its first);
//                                 `early`: this lane's early() value (a value, not a pointer: a
//                                 pointer to it put it in local memory, a load at the store that
//                                 queues behind the ring's copies)
//   static constexpr bool kTwoPhase;  true: the launch's groups are two matrices in sequence whose
//                                 second one's x is made by the first (wo_ffn_in.coalesced_dp4a).
//                                 Then also:
//   int phase1_groups() const;        groups [0, phase1_groups()) are the first matrix's
//   template <int P> void store_in(...) const;  store's arguments: group g of phase P (1, 2),
//                                 instead of store (each phase's loop has its own epilogue)
//   Next barrier(const Job&) const;   every thread once, after its warp's last first-phase group:
//                                 waits until the whole grid's first phase is done and visible,
//                                 calls sb_grid_launch_dependents() (the kernel does not after its
//                                 grid wait: the next launch may read what the first phase
//                                 wrote), and loads what the second x needs
//   template <int XB> void stage_next(const Job&, const Next&, void* scratch, uint32_t* xq,
//                                     float2* xs) const;
//                                 every thread, after the ring's copies held back by the barrier
//                                 are issued: the second x into xq, xs, ending with a block sync
//                                 Before the barrier a warp copies at most pieces_before_wait
//                                 second-phase pieces (as before a grid wait) and prefetches
//                                 Job::l2_groups second-phase groups into L2 (the SM's bytes in
//                                 flight while it waits for the slowest block).
// JobIo: the matvec slots (rows [0, rows1) of w1 -> y1, the rest of w2 -> y2, x as given; lane r
// stores row g * R + r, adding the residual for add_residual). The residual is read before the
// grid wait for the warp's first group (kernels/matvec_residual/matvec_residual.h says when that
// is allowed), so its round trip to memory is off the path from the wait to the store: for wo and
// down that is the first group. It is read from L2 (__ldcg), never from a stale L1 line: the
// launch before may have written it and made it visible device-wide before triggering
// (wo_ffn_in.coalesced_dp4a before down).
template <Epilogue E>
struct JobIo {
  static constexpr int kRows = 0;
  static constexpr size_t kScratchBytes = 0;
  static constexpr bool kTwoPhase = false;
  __device__ __forceinline__ const uint8_t* row(const Job& j, int row) const {
    return row < j.rows1 ? j.w1 + static_cast<uint64_t>(row) * j.row_bytes
                         : j.w2 + static_cast<uint64_t>(row - j.rows1) * j.row_bytes;
  }
  struct Pre {};
  __device__ __forceinline__ Pre pre_wait(const Job&) const { return {}; }
  __device__ __forceinline__ XLoaded load_x(const Job& j) const {
    return load_one_pass(XPlain{j.x}, j.nb * 8);
  }
  template <int XB>
  __device__ __forceinline__ void stage_x(const Job& j, const Pre&, const XLoaded& l, void*,
                                          uint32_t* xq, float2* xs) const {
    if (l.kn == 0) return quantize_x<XB>(XPlain{j.x}, j.nb, xq, xs);
    quantize_pass<XB>(l.v, 0, l.kn, j.nb * 8, xq, xs);
  }
  template <int R>
  __device__ __forceinline__ float early(const Job& j, int g, int /*tw*/, int lane) const {
    const int row = g * R + lane;
    if constexpr (E == Epilogue::add_residual)  // from L2: the launch before may have written it
      return lane < R && row < j.rows_total ? __ldcg(j.res + row) : 0.0f;
    return 0.0f;
  }
  template <int R>
  __device__ __forceinline__ void store(const Job& j, int g, int lane, const float (&sum)[R],
                                        int ordinal, float early) const {
    float v = 0.0f;
#pragma unroll
    for (int r = 0; r < R; ++r) v = lane == r ? sum[r] : v;
    const int row = g * R + lane;
    if (lane < R && row < j.rows_total) {
      float* y = row < j.rows1 ? j.y1 + row : j.y2 + (row - j.rows1);
      if constexpr (E == Epilogue::add_residual)
        *y = __fadd_rn(ordinal == 0 ? early : j.res[row], v);
      else
        *y = v;
    }
  }
};

// The Io's store of group g: store (P = 0, one phase) or store_in<P> (phase P of two).
template <int P, class Io, int R>
__device__ __forceinline__ void store_group(const Io& io, const Job& j, int g, int lane,
                                            const float (&sum)[R], int ordinal, float early) {
  if constexpr (P == 0)
    io.store(j, g, lane, sum, ordinal, early);
  else
    io.template store_in<P>(j, g, lane, sum, ordinal, early);
}

// Shared memory of one launch: x, then each warp's ring.
__host__ __device__ inline size_t x_smem_bytes(int nb, int x_bits = 16) {
  return (static_cast<size_t>(nb) * (x_bits == 8 ? kX8BytesPerBlock : kXBytesPerBlock) + 15) &
         ~size_t{15};
}

// kSpan: the span layout (span_rows), its own instantiation so that the piece layout's code
// stays as it was (a runtime switch in the issue cursor cost the 8B decode 5-6%).
template <DType T, int R, int S, int XB, class Io, bool kSpan>
__global__ void __launch_bounds__(kMaxWarps* mv::kWarpSize, 1) coalesced_kernel(Job j, Io io) {
  static_assert(Io::kRows == 0 || Io::kRows == R, "the Io needs groups of its own row count");
  static_assert(Io::kScratchBytes % 16 == 0, "the ring must stay 16-byte aligned");
  static_assert(XB == 16 || XB == 8, "x is held as 16- or 8-bit integers");
  sb_trace_start();  // SWAPBENCH_TRACE: this kernel works before its grid wait
  extern __shared__ __align__(16) uint8_t smem[];
  constexpr int kSeg = seg_bytes<T>();
  // 16-byte copies of a row segment per lane (3 for q8_0): a fixed, predicated trip count, so no
  // loop branches per copy.
  constexpr int kChunkRounds = (kSeg / 16 + 31) / 32;
  // Span layout (rows that are not whole 16-byte copies, see span_rows): a group's R rows are one
  // contiguous run of bytes, copied as one, and staged back to back.
  constexpr int kSpanRounds = (R * kSeg / 16 + 31) / 32;
  static_assert(!kSpan || Io::kRows == 0, "a span is R rows of one matrix");
  const int row_stride = kSpan ? static_cast<int>(j.row_bytes) : kSeg;
  const int stage_bytes = R * row_stride;
  const int lane = static_cast<int>(threadIdx.x) & 31;
  const int warp = static_cast<int>(threadIdx.x) >> 5;
  const int warps = static_cast<int>(blockDim.x) >> 5;
  const int nb = j.nb;
  uint32_t* xq = reinterpret_cast<uint32_t*>(smem);
  float2* xs = reinterpret_cast<float2*>(smem + static_cast<size_t>(nb) * (XB == 8 ? 32 : 64));
  uint8_t* scratch = smem + x_smem_bytes(nb, XB);
  uint8_t* ring = scratch + Io::kScratchBytes + static_cast<size_t>(warp) * S * stage_bytes;

  // Work of this warp: groups gw, gw + W, ... of R rows; each group is `pieces` pieces.
  const int pieces = (nb + kPieceBlocks - 1) / kPieceBlocks;
  const int groups = (j.rows_total + R - 1) / R;
  const int gw = static_cast<int>(blockIdx.x) * warps + warp;
  const int tw = static_cast<int>(gridDim.x) * warps;
  const int items = gw < groups ? ((groups - 1 - gw) / tw + 1) * pieces : 0;

  auto row_ptr = [&](int row) {  // rows past the end repeat the last one (never stored)
    return io.row(j, min(row, j.rows_total - 1));
  };
  // Issue cursor: the item the next issue() copies (group ig, piece ip) into ring slot is;
  // src[r]: where row r of group ig's next piece starts. The row addresses are computed once per
  // group and the ring's shared address once per warp: per piece they were a third of the
  // loop's instructions (SASS), and the loop issues at 25-50% under ncu, bound by latency.
  // Piece layout: src[r] and the ring address are this lane's own (16 * lane added once), so
  // that a copy's offsets (row r, round k) are constants; every piece but a row's last has the
  // same chunk count, so the per-piece bound is a select, not arithmetic on nb.
  int issued = 0, ig = gw, ip = 0, is = 0;
  // Two phases: this warp's first-phase items come first (the stride is increasing); until the
  // barrier the cursor stops pieces_before_wait items into the second phase.
  int items1 = items;
  if constexpr (Io::kTwoPhase) {
    const int g1 = io.phase1_groups();
    items1 = gw < g1 ? ((g1 - 1 - gw) / tw + 1) * pieces : 0;
  }
  int limit = Io::kTwoPhase ? min(items, items1 + min(j.pieces_before_wait, S - 1)) : items;
  const uint8_t* src[R];
  const uint32_t ring_s = static_cast<uint32_t>(__cvta_generic_to_shared(ring));
  const uint32_t ring_lane = ring_s + static_cast<uint32_t>(16 * lane);
  constexpr int kFullChunks = kSeg / 16;
  const int last_chunks = (nb - (pieces - 1) * kPieceBlocks) * block_bytes<T>() / 16;
  auto issue = [&]() {
    if constexpr (kSpan) {
      if (issued < limit) {  // one piece per group: rows [ig R, ig R + R) in one run
        const int g0 = ig * R;
        const int bytes = min(R, j.rows_total - g0) * static_cast<int>(j.row_bytes);
        const int n16 = bytes >> 4;
        const uint32_t dst = ring_s + static_cast<uint32_t>(is * stage_bytes);
        const uint8_t* s0 = io.row(j, g0);
#pragma unroll
        for (int k = 0; k < kSpanRounds; ++k) {
          const int c = lane + 32 * k;
          if (c < n16) cp_async16(dst + static_cast<uint32_t>(16 * c), s0 + 16 * c);
        }
        // A last group of fewer than R rows may end inside a 16-byte chunk: its last words come
        // 4 bytes at a time, never past the matrix.
        if (lane < ((bytes & 15) >> 2))
          cp_async4(dst + static_cast<uint32_t>(16 * n16 + 4 * lane), s0 + 16 * n16 + 4 * lane);
        ++issued;
        ig += tw;
        if (++is == S) is = 0;
      }
    } else if (issued < limit) {
      const int nchunk = ip == pieces - 1 ? last_chunks : kFullChunks;  // row_bytes % 16 == 0
      const uint32_t dst = ring_lane + static_cast<uint32_t>(is * stage_bytes);
      if (ip == 0) {
#pragma unroll
        for (int r = 0; r < R; ++r) src[r] = row_ptr(ig * R + r) + 16 * lane;
      }
#pragma unroll
      for (int r = 0; r < R; ++r) {
#pragma unroll
        for (int k = 0; k < kChunkRounds; ++k)
          if (lane + 32 * k < nchunk)
            cp_async16(dst + static_cast<uint32_t>(r * kSeg + 512 * k), src[r] + 512 * k);
        src[r] += kSeg;
      }
      ++issued;
      if (++ip == pieces) ip = 0, ig += tw;
      if (++is == S) is = 0;
    }
    cp_async_commit();  // an empty group keeps the wait counts uniform
  };

  // Groups g0, g0 + tw, ... (n of them) of this warp into L2.
  auto prefetch_l2 = [&](int g0, int n) {
    for (int k = 0; k < n; ++k) {
      const int gk = g0 + k * tw;
      if (gk >= groups) break;
#pragma unroll
      for (int r = 0; r < R; ++r) {
        const uint8_t* src = row_ptr(gk * R + r);
        const uintptr_t first = reinterpret_cast<uintptr_t>(src) & ~uintptr_t{kL2Line - 1};
        const uintptr_t end = reinterpret_cast<uintptr_t>(src) + j.row_bytes;
        for (uintptr_t a = first + static_cast<uintptr_t>(lane) * kL2Line; a < end;
             a += 32 * kL2Line)
          sb_prefetch_l2(reinterpret_cast<const void*>(a));
      }
    }
  };
  // Weights are never written by a kernel of the step: the L2 prefetch of this warp's first
  // groups and the ring's first S - 1 pieces may start while the previous kernel still runs.
  if constexpr (!Io::kTwoPhase) prefetch_l2(gw, j.l2_groups);
  // j.pieces_before_wait of the ring's S - 1 pieces before the wait, x's loads first after it,
  // then the rest: a lane's requests leave its SM in order, so x's loads issued behind all S - 1
  // pieces waited for them, and x is on the path from the wait to the first dot. Three pieces
  // (not S - 1, not fewer) was fastest on the H200 for q8_0 and q4_0 alike (docs/results.md,
  // eighth session); fewer lost when the rest went out before x's loads (sixth session).
  const int pre_n = min(j.pieces_before_wait, S - 1);
  for (int s = 0; s < pre_n; ++s) issue();
  const float early_first = io.template early<R>(j, gw, tw, lane);
  const auto pre = io.pre_wait(j);

  sb_grid_wait();  // x is written by the previous launch
  if constexpr (!Io::kTwoPhase) sb_grid_launch_dependents();
  const XLoaded xin = io.load_x(j);  // into registers; stage_x uses them after the copies
  for (int s = pre_n; s < S - 1; ++s) issue();
  io.template stage_x<XB>(j, pre, xin, scratch, xq, xs);
  __syncthreads();
  sb_trace_ready();

  float acc[R];
#pragma unroll
  for (int r = 0; r < R; ++r) acc[r] = 0.0f;
  int g = gw, p = 0, slot = 0;
  const XLane<XB> xl(lane);
  const uint8_t* xpiece = reinterpret_cast<const uint8_t*>(xq);  // x of piece p
  // One item (a piece of the current group): wait for its copies, issue the next, dot, and at a
  // group's last piece sum and store.
  auto step = [&](auto phase) {  // phase: 0 (one phase), 1 or 2, a compile-time constant
    cp_async_wait<S - 2>();  // this lane's copies of the item landed
    __syncwarp();            // ... and every lane's; slot it - 1 is free again
    issue();
    const int b = p * kPieceBlocks + lane;
    if (b < nb) {
      const float2 xsc = xs[b];
      const uint8_t* st = ring + slot * stage_bytes;
      if constexpr (XB == 8) {
        XWords8 xw;
        xw.load(xpiece, xl);
#pragma unroll
        for (int r = 0; r < R; ++r)
          acc[r] = block_dot8<T>(st + r * row_stride, lane, xw, xsc, acc[r]);
      } else {
        XWords xw;
        xw.load(xpiece, xl);
#pragma unroll
        for (int r = 0; r < R; ++r)
          acc[r] = block_dot<T>(st + r * row_stride, lane, xw, xsc, acc[r]);
      }
    }
    if (++slot == S) slot = 0;
    xpiece += XLane<XB>::kXPieceBytes;
    if (++p == pieces) {  // group done: warp sums, the Io stores
      float sum[R];
#pragma unroll
      for (int r = 0; r < R; ++r) {
        sum[r] = mv::warp_sum(acc[r]);
        acc[r] = 0.0f;
      }
      store_group<decltype(phase)::value>(io, j, g, lane, sum, (g - gw) / tw, early_first);
      p = 0;
      xpiece = reinterpret_cast<const uint8_t*>(xq);
      g += tw;
    }
  };
  if constexpr (Io::kTwoPhase) {
    for (int it = 0; it < items1; ++it) step(std::integral_constant<int, 1>{});
    prefetch_l2(gw + (items1 / pieces) * tw, j.l2_groups);
    const auto next = io.barrier(j);
    limit = items;  // the pieces held back, as after a grid wait: behind the second x's loads
    while (issued < min(items, items1 + S - 1)) issue();
    io.template stage_next<XB>(j, next, scratch, xq, xs);
    sb_trace_ready();  // again: the timeline keeps a block's last, so its prologue spans the barrier
    for (int it = items1; it < items; ++it) step(std::integral_constant<int, 2>{});
  } else {
    for (int it = 0; it < items; ++it) step(std::integral_constant<int, 0>{});
  }
  cp_async_wait<0>();  // no copy may outlive the block
  sb_trace_warp_end();
}

// Whether a launch with these sizes can run with whole 16-byte rows (every Io); the reason when
// not.
inline std::optional<std::string> applies(DType t, int64_t cols) {
  if (cols % 32 != 0) return "cols % 32 != 0";
  if (row_bytes(t, static_cast<uint64_t>(cols)) % 16 != 0)
    return "row bytes " + std::to_string(row_bytes(t, static_cast<uint64_t>(cols))) +
           " not a multiple of 16 (16-byte copies)";
  if (static_cast<int64_t>(x_smem_bytes(static_cast<int>(cols / 32))) > kMaxXBytes)
    return "cols " + std::to_string(cols) + ": x needs more than 64 KB of shared memory";
  return std::nullopt;
}

// The span layout, for rows that are not whole 16-byte copies (576 columns: q8_0 612, q4_0 324,
// q4_1 360 bytes; a warp-per-row kernel leaves 14 of 32 lanes idle there): a row of at most one
// piece (32 blocks) and a multiple of 4 bytes; a group is the fewest rows (2 or 4) whose bytes are
// whole 16-byte copies, one contiguous run copied as one (the last group's tail 4 bytes at a
// time). Returns that row count, 0 where the layout does not apply.
inline int span_rows(uint64_t row_bytes, int64_t nb) {
  if (nb > kPieceBlocks || row_bytes % 4 != 0) return 0;
  for (int r : {1, 2, 4})
    if ((uint64_t(r) * row_bytes) % 16 == 0) return r;
  return 0;
}

// applies() of the matvec slots (JobIo): whole 16-byte rows or the span layout. A span group
// must not straddle two matrices: `pair` (rows, rows2 of two matrices) needs rows % R == 0.
inline std::optional<std::string> applies_rows(DType t, const Shape& s, bool pair) {
  if (s.cols % 32 != 0) return "cols % 32 != 0";
  const uint64_t rb = row_bytes(t, static_cast<uint64_t>(s.cols));
  if (rb % 16 != 0) {
    const int sr = span_rows(rb, s.cols / 32);
    if (sr == 0)
      return "row bytes " + std::to_string(rb) +
             " neither a multiple of 16 (16-byte copies) nor a span (at most 32 blocks, a "
             "multiple of 4 bytes)";
    if (pair && s.rows % sr != 0)
      return "rows " + std::to_string(s.rows) + " of the first matrix not a multiple of the " +
             std::to_string(sr) + "-row span groups";
    return std::nullopt;  // one piece: x is at most 32 blocks
  }
  return applies(t, s.cols);
}

struct DeviceLimits {
  int sms = 0;
  int smem_optin = 0;   // per block
  int smem_per_sm = 0;  // the whole SM, blocks' reserved bytes included
};
// Of the current device, queried once (one device per process).
inline const DeviceLimits& device_limits() {
  static const DeviceLimits d = [] {
    DeviceLimits l;
    int dev = 0;
    SB_CUDA_CHECK(cudaGetDevice(&dev));
    SB_CUDA_CHECK(cudaDeviceGetAttribute(&l.sms, cudaDevAttrMultiProcessorCount, dev));
    SB_CUDA_CHECK(
        cudaDeviceGetAttribute(&l.smem_optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, dev));
    SB_CUDA_CHECK(
        cudaDeviceGetAttribute(&l.smem_per_sm, cudaDevAttrMaxSharedMemoryPerMultiprocessor, dev));
    return l;
  }();
  return d;
}

// How a launch is shaped. coalesced: the defaults (one block per SM holding all of its shared
// memory, as many blocks as fit). overlap: `share` > 1 keeps each block to 1/share of the SM's
// shared memory and the grid to one block per SM, so that the next launch's blocks fit beside
// this one's and stream their first weights (ring and L2 prefetch) under its tail.
struct Tuning {
  int64_t warps = 16;     // warps per block (fewer for small matrices)
  int64_t rows = 2;       // rows per warp group, 1 or 2
  int64_t share = 1;      // launches sharing one SM's shared memory (1 = all of it)
  int64_t l2_groups = 0;  // Job::l2_groups
  // Launches with more weight bytes than this run as coalesced (share 1, full_warps warps,
  // no L2 prefetch): big matrices need every byte of ring in flight.
  int64_t share_max_bytes = 0;  // 0: no limit
  int64_t full_warps = 16;
  int64_t pieces_before_wait = 3;  // Job::pieces_before_wait (at most S - 1 take effect)
};

// The parameter that sets Tuning::pieces_before_wait, declared by every coalesced launcher's
// variants (matvec*.coalesced, .coalesced_dp4a, .overlap, attn_in and ffn_in.coalesced).
inline ParamSpec pieces_before_wait_param() {
  return {.name = "pieces_before_wait",
          .min = 1,
          .max = 7,
          .def = 3,
          .doc =
              "ring pieces each warp copies before waiting for the previous launch (the rest "
              "after x's loads; at most the ring's stages - 1 take effect)"};
}

// Launches over j.rows_total rows: `warps` warps per block, rows_per_warp rows per group (or
// Io::kRows when the Io fixes it). Both shrink for small matrices so that the grid still covers
// every SM.
template <DType T, int XB, class Io>
void launch_io(const Job& job, const Io& io, const Tuning& tu, const LaunchCtx& ctx,
               const char* what) {
  if (job.rows_total <= 0) return;
  const bool big = tu.share_max_bytes > 0 &&
                   double(job.rows_total) * double(job.row_bytes) > double(tu.share_max_bytes);
  Job j = job;
  j.l2_groups = big ? 0 : static_cast<int>(std::clamp<int64_t>(tu.l2_groups, 0, 64));
  j.pieces_before_wait = static_cast<int>(std::clamp<int64_t>(tu.pieces_before_wait, 1, 16));
  const DeviceLimits& dl = device_limits();
  const int share = big ? 1 : static_cast<int>(std::clamp<int64_t>(tu.share, 1, 4));
  // Per block: 1 KB of each block's shared memory is reserved by the system.
  const size_t budget =
      share == 1 ? size_t(dl.smem_optin)
                 : std::min(size_t(dl.smem_optin), size_t(dl.smem_per_sm / share) - 1024);
  int warps = static_cast<int>(std::clamp<int64_t>(big ? tu.full_warps : tu.warps, 1, kMaxWarps));
  int rpw = Io::kRows != 0 ? Io::kRows : (tu.rows >= 2 ? 2 : 1);
  const bool span = j.row_bytes % 16 != 0;  // the span layout (span_rows), its own instantiation
  // Fewer rows per group while the groups would fill less than half of one wave of warps.
  while (!span && Io::kRows == 0 && rpw > 1 &&
         2 * ((j.rows_total + rpw - 1) / rpw) < static_cast<int64_t>(dl.sms) * warps)
    rpw /= 2;
  if (span) {
    const int sr = span_rows(j.row_bytes, j.nb);
    // The caller's applies() checks the span rules (applies_rows); an Io with fixed row pairs
    // (two matrices) never has contiguous groups.
    if (Io::kRows != 0 || sr == 0)
      throw std::invalid_argument(std::string(what) + ": rows of " + std::to_string(j.row_bytes) +
                                  " bytes are neither whole 16-byte copies nor a span");
    if (j.rows1 < j.rows_total && j.rows1 % sr != 0)
      throw std::invalid_argument(std::string(what) + ": the first matrix's " +
                                  std::to_string(j.rows1) + " rows end inside a " +
                                  std::to_string(sr) + "-row span group");
    rpw = sr;
  }
  const int groups = (j.rows_total + rpw - 1) / rpw;
  warps = std::max(1, std::min(warps, (groups + dl.sms - 1) / dl.sms));
  const size_t xb = x_smem_bytes(j.nb, XB) + Io::kScratchBytes;
  // One warp's ring: S stages of R rows, each a piece's segment or, in the span layout, the whole
  // row (the kernel's row_stride).
  const size_t row_stride = span ? size_t(j.row_bytes) : size_t(seg_bytes<T>());
  const auto ring_bytes = [row_stride](int r, int s) { return size_t(s) * size_t(r) * row_stride; };
  auto go = [&](auto rc, auto sc, auto spc) {
    constexpr int R = decltype(rc)::value, S = decltype(sc)::value;
    constexpr bool kSpan = decltype(spc)::value;
    auto* kernel = coalesced_kernel<T, R, S, XB, Io, kSpan>;
    static const bool attr_set = [&] {  // once per instantiation; not a stream operation
      SB_CUDA_CHECK(
          cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, dl.smem_optin));
      return true;
    }();
    (void)attr_set;
    int w = warps;
    const size_t ring = ring_bytes(R, S);
    while (w > 1 && xb + w * ring > budget) --w;
    const size_t smem = xb + w * ring;
    if (smem > budget)
      throw std::invalid_argument(std::string(what) + ": needs " + std::to_string(smem) +
                                  " bytes of shared memory");
    int per_sm = 0;
    SB_CUDA_CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, kernel, w * 32, smem));
    const int need = ((j.rows_total + R - 1) / R + w - 1) / w;
    const int per_sm_used = share == 1 ? std::max(1, per_sm) : 1;
    const int grid = std::max(1, std::min(need, per_sm_used * dl.sms));
    launch_kernel(what, kernel, dim3(grid), dim3(w * 32), smem, ctx, j, io);
  };
  // The deepest ring (most bytes in flight) that fits beside x for `warps` warps.
  auto with_stages = [&](auto rc, auto spc) {
    constexpr int R = decltype(rc)::value;
    const auto fits = [&](int stages) { return xb + warps * ring_bytes(R, stages) <= budget; };
    if constexpr (decltype(spc)::value) {  // short rows: 8 or 4 stages, fewer instantiations
      if (fits(8))
        go(rc, std::integral_constant<int, 8>{}, spc);
      else
        go(rc, std::integral_constant<int, 4>{}, spc);
    } else if (fits(8)) {
      go(rc, std::integral_constant<int, 8>{}, spc);
    } else if (fits(6)) {
      go(rc, std::integral_constant<int, 6>{}, spc);
    } else if (fits(5)) {  // q8_0 over 14336 columns: 32 KB of x leave room for 5
      go(rc, std::integral_constant<int, 5>{}, spc);
    } else {
      go(rc, std::integral_constant<int, 4>{}, spc);
    }
  };
  using Pieces = std::false_type;
  using Span = std::true_type;
  if constexpr (Io::kRows != 0) {
    with_stages(std::integral_constant<int, Io::kRows>{}, Pieces{});
  } else if (span) {
    if (rpw == 4)
      with_stages(std::integral_constant<int, 4>{}, Span{});
    else
      with_stages(std::integral_constant<int, 2>{}, Span{});
  } else if (rpw == 2) {
    with_stages(std::integral_constant<int, 2>{}, Pieces{});
  } else {
    with_stages(std::integral_constant<int, 1>{}, Pieces{});
  }
}

// The matvec slots' launches (JobIo).
template <DType T, Epilogue E, int XB = 16>
void launch(const Job& job, const Tuning& tu, const LaunchCtx& ctx, const char* what) {
  launch_io<T, XB>(job, JobIo<E>{}, tu, ctx, what);
}

// The parameters of matvec*.overlap, and the Tuning they give.
inline std::vector<ParamSpec> overlap_params() {
  return {{.name = "warps",
           .min = 1,
           .max = kMaxWarps,
           .def = 8,
           .doc = "warps per thread block (fewer for small matrices)"},
          {.name = "rows_per_warp",
           .min = 1,
           .max = 2,
           .def = 2,
           .doc = "rows per warp group, 1 or 2 (1 for small matrices)"},
          {.name = "share",
           .min = 1,
           .max = 4,
           .def = 2,
           .doc = "launches that may share one SM: each block takes 1/share of its shared "
                  "memory and the grid one block per SM (1: all of it, as coalesced)"},
          {.name = "l2_groups",
           .min = 0,
           .max = 16,
           .def = 0,
           .doc = "row groups per warp prefetched into L2 before the wait"},
          {.name = "share_max_mb",
           .min = 0,
           .max = 4096,
           .def = 8,
           .doc = "launches over more weight MB than this run as coalesced (0: no limit)"},
          pieces_before_wait_param()};
}
inline Tuning overlap_tuning(const LaunchCtx& ctx) {
  Tuning tu;
  tu.warps = ctx.param("warps");
  tu.rows = ctx.param("rows_per_warp");
  tu.share = ctx.param("share");
  tu.l2_groups = ctx.param("l2_groups");
  tu.share_max_bytes = ctx.param("share_max_mb") << 20;
  tu.pieces_before_wait = ctx.param("pieces_before_wait");
  return tu;
}

// Calls f(std::integral_constant<DType, T>{}) for q8_0, q4_0, q4_1.
template <class F>
void dispatch_type(DType t, F&& f) {
  switch (t) {
    case DType::q8_0:
      return f(std::integral_constant<DType, DType::q8_0>{});
    case DType::q4_0:
      return f(std::integral_constant<DType, DType::q4_0>{});
    case DType::q4_1:
      return f(std::integral_constant<DType, DType::q4_1>{});
    default:
      throw std::invalid_argument("coalesced: no kernel for type " + std::string(name(t)));
  }
}

inline constexpr DType kTypes[] = {DType::q8_0, DType::q4_0, DType::q4_1};

}  // namespace swapbench::mvc
