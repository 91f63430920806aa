// `attn_decode.warp_tile`: block_head's one block per query head, with every load of a tile in
// flight at once. In block_head a warp scores 32 positions (lane = position) and then walks them
// one by one for V, so each tile costs a chain of dependent cache reads; at decode's short
// contexts (smollm2 at pos < 200: at most 7 tiles) that chain, not bandwidth, is the kernel's
// time (8 us per call, a third of the step). Here a position's row is split over CL = head_dim /
// 16 lanes (four float4 columns each), so a warp holds R = 32 / CL positions per pass and kI
// passes per tile; every lane issues the K and V loads of all its positions before using any of
// them, which makes a tile one round trip to memory. Each lane keeps its own online-softmax state
// (running max, denominator, head_dim / CL accumulators) over its positions; the warp merges its
// R states with xor shuffles and the block merges its warps in shared memory. No position-
// dependent host branch: pos is read on the device. Reassociates against block_head (different
// summation order), float throughout.
//
// Long contexts (`splits` > 1, flash-decoding): only `heads` blocks would leave most SMs idle, so
// the positions 0..pos are cut into `splits` equal ranges, one block per (head, range); each block
// leaves its unnormalised state in the workspace and the last block of a head to arrive (atomic
// ticket, as argmax.two_stage) merges them and sets the head's counter back to zero (the call's
// zeroed memory, LaunchCtx::zeroed: no memset node). At short contexts the merge's extra round
// trips cost more than the spread saves (H200, tg128, llama-8b q4_0: 613-627 tok/s for splits
// 2-8 against 645 unsplit); at 4k positions 8 splits took smollm2 from 945 to 1299 tok/s: hence
// the automatic choice.
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>

#include "kernels/attn_decode/attn_decode.h"
#include "kernels/common/cuda_check.h"
#include "kernels/common/launch.cuh"
#include "kernels/common/reduce.cuh"
#include "kernels/common/traffic.h"

namespace swapbench::attn_decode {
namespace {

using cuda::kFullMask;
using cuda::kWarpSize;

constexpr int kF = 4;  // float4 columns per lane per row: a lane covers 16 floats
constexpr int kI = 2;  // positions per lane per tile
constexpr int kMaxWarps = 16;
constexpr int kMaxSplits = 64;
constexpr int kAutoSplitPositions = 512;  // splits = 0: one split per this many cache positions
constexpr int kAutoMaxSplits = 32;

// Workspace (splits > 1): per (head, split) its max and denominator (padded to 16 bytes), then per
// (head, split) its head_dim accumulators. Zeroed memory: one arrival counter per head.
size_t workspace_for(const Shape& s) {
  return 16 + sizeof(float) * size_t(std::max<int64_t>(s.heads, 0)) * kMaxSplits *
                  (2 + size_t(std::max<int64_t>(s.head_dim, 0)));
}
size_t zeroed_for(const Shape& s) {
  return sizeof(unsigned) * size_t(std::max<int64_t>(s.heads, 0));
}
struct Partials {
  unsigned* counters;  // [heads], zeroed memory
  float2* ml;          // [heads][splits] {m, l}
  float4* acc;         // [heads][splits][head_dim / 4]
};

// Online-softmax state of a set of positions: max score m, denominator l (scaled to m) and the
// weighted V sum (scaled to m). m = -inf means "no position yet"; l and acc are then 0.
struct State {
  float m = -INFINITY;
  float l = 0.0f;
  float4 acc[kF];
};

__device__ __forceinline__ float4 fma4(float a, float4 x, float4 y) {
  return make_float4(fmaf(a, x.x, y.x), fmaf(a, x.y, y.y), fmaf(a, x.z, y.z), fmaf(a, x.w, y.w));
}
__device__ __forceinline__ float4 scale4(float a, float4 x) {
  return make_float4(a * x.x, a * x.y, a * x.z, a * x.w);
}
// exp(x - m) with exp(-inf - anything) = 0 spelled out (avoids -inf - -inf = NaN).
__device__ __forceinline__ float weight(float x, float m) {
  return x == -INFINITY ? 0.0f : expf(x - m);
}

// Merges state o into s: both rescaled to the larger max.
__device__ __forceinline__ void merge(State& s, float om, float ol, const float4 (&oacc)[kF]) {
  const float mn = fmaxf(s.m, om);
  const float a = weight(s.m, mn), b = weight(om, mn);
  s.l = fmaf(s.l, a, ol * b);
#pragma unroll
  for (int f = 0; f < kF; ++f) s.acc[f] = fma4(b, oacc[f], scale4(a, s.acc[f]));
  s.m = mn;
}

// kHD = head_dim = 16 * kCL: kCL lanes per position, kR = 32 / kCL positions per warp pass.
template <int kHD>
__global__ void __launch_bounds__(kMaxWarps* kWarpSize) warp_tile_kernel(Args a, Partials part) {
  constexpr int kCL = kHD / (4 * kF);
  constexpr int kR = kWarpSize / kCL;
  constexpr int kTile = kR * kI;  // positions per warp per tile
  static_assert(kCL * 4 * kF == kHD && kWarpSize % kCL == 0, "head_dim must be 16 * 2^k <= 512");
  __shared__ float m_s[kMaxWarps], l_s[kMaxWarps];
  __shared__ float4 acc_s[kMaxWarps][kHD / 4];

  const int lane = static_cast<int>(threadIdx.x) % kWarpSize;
  const int warp = static_cast<int>(threadIdx.x) / kWarpSize;
  const int warps = static_cast<int>(blockDim.x) / kWarpSize;
  const int r = lane / kCL, c = lane % kCL;  // position slot, column group
  const int h = static_cast<int>(blockIdx.x);
  const int split = static_cast<int>(blockIdx.y), splits = static_cast<int>(gridDim.y);
  const int64_t row = static_cast<int64_t>(a.kv_heads) * kHD;
  const int64_t g = static_cast<int64_t>(h / (a.heads / a.kv_heads)) * kHD;
  const float4* K = reinterpret_cast<const float4*>(a.k_cache + g);
  const float4* V = reinterpret_cast<const float4*>(a.v_cache + g);
  const int64_t row4 = row / 4;

  // Before the grid wait (kernels/attn_decode/attn_decode.h): the position and the cache rows
  // before it were written by earlier steps, only row pos by the launch just before, so the first
  // tile's loads of the older rows overlap that launch's tail and the wait. At decode's short
  // contexts that tile is all a warp does, and its round trip to memory was half the kernel.
  const int cur = *a.pos;
  const int n_all = min(cur + 1, a.max_ctx);  // positions 0..pos (never past the cache)
  // This block's range [begin, n): all of them unless split.
  const int chunk = (n_all + splits - 1) / splits;
  const int begin = min(n_all, split * chunk);
  const int n = min(n_all, begin + chunk);
  // The tile's K and V rows: positions past n read as zero (no cache row past pos is touched);
  // `older` loads only rows before pos, `newest` only row pos.
  float4 k[kI][kF], v[kI][kF];
  auto load_tile = [&](int base, bool older, bool newest) {
#pragma unroll
    for (int i = 0; i < kI; ++i) {
      const int t = base + i * kR + r;
      if (t < n && (t == cur ? newest : older)) {
#pragma unroll
        for (int f = 0; f < kF; ++f) {
          const int64_t at = t * row4 + c + kCL * f;
          k[i][f] = __ldg(K + at);
          v[i][f] = __ldg(V + at);
        }
      } else if (t >= n) {
#pragma unroll
        for (int f = 0; f < kF; ++f) k[i][f] = v[i][f] = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
      }
    }
  };
  const int first = begin + warp * kTile;  // this warp's first tile
  // The one kernel that lets its dependent launch before its own wait (kernels/common/launch.cuh):
  // its heads-many blocks leave most SMs idle, and wo's blocks then start on them at once and
  // stream their weights under attention instead of after it (H200, tg128: +0.6% llama-8b q8_0,
  // +1.5% smollm2). Safe because wo reads only weights and the residual before its own wait
  // (kernels/attn_decode/attn_decode.h).
  sb_grid_launch_dependents();
  load_tile(first, true, false);

  sb_grid_wait();
  load_tile(first, false, true);

  // This lane's q columns c, c + kCL, ...: pre-scaled by 1 / sqrt(head_dim) as in block_head.
  const float scale = 1.0f / sqrtf(static_cast<float>(kHD));
  const float4* q4 = reinterpret_cast<const float4*>(a.q + static_cast<int64_t>(h) * kHD);
  float4 q[kF];
#pragma unroll
  for (int f = 0; f < kF; ++f) q[f] = scale4(scale, __ldg(q4 + c + kCL * f));

  State st;
#pragma unroll
  for (int f = 0; f < kF; ++f) st.acc[f] = make_float4(0.0f, 0.0f, 0.0f, 0.0f);

  for (int base = first; base < n; base += warps * kTile) {
    // Every load of a later tile first, then the arithmetic: one round trip per tile.
    if (base != first) load_tile(base, true, true);
    float s[kI];
    float tile_max = -INFINITY;
#pragma unroll
    for (int i = 0; i < kI; ++i) {
      float4 d = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
#pragma unroll
      for (int f = 0; f < kF; ++f) {
        d.x = fmaf(q[f].x, k[i][f].x, d.x);
        d.y = fmaf(q[f].y, k[i][f].y, d.y);
        d.z = fmaf(q[f].z, k[i][f].z, d.z);
        d.w = fmaf(q[f].w, k[i][f].w, d.w);
      }
      float part = (d.x + d.y) + (d.z + d.w);
#pragma unroll
      for (int o = kCL / 2; o > 0; o >>= 1) part += __shfl_xor_sync(kFullMask, part, o);
      s[i] = base + i * kR + r < n ? part : -INFINITY;
      tile_max = fmaxf(tile_max, s[i]);
    }
    const float m_new = fmaxf(st.m, tile_max);
    const float corr = weight(st.m, m_new);
    st.l *= corr;
#pragma unroll
    for (int f = 0; f < kF; ++f) st.acc[f] = scale4(corr, st.acc[f]);
#pragma unroll
    for (int i = 0; i < kI; ++i) {
      const float p = weight(s[i], m_new);
      st.l += p;
#pragma unroll
      for (int f = 0; f < kF; ++f) st.acc[f] = fma4(p, v[i][f], st.acc[f]);
    }
    st.m = m_new;
  }

  // The warp's kR position slots into one state: xor over the lane bits above the column group.
#pragma unroll
  for (int o = kCL; o < kWarpSize; o <<= 1) {
    const float om = __shfl_xor_sync(kFullMask, st.m, o);
    const float ol = __shfl_xor_sync(kFullMask, st.l, o);
    float4 oacc[kF];
#pragma unroll
    for (int f = 0; f < kF; ++f) {
      oacc[f].x = __shfl_xor_sync(kFullMask, st.acc[f].x, o);
      oacc[f].y = __shfl_xor_sync(kFullMask, st.acc[f].y, o);
      oacc[f].z = __shfl_xor_sync(kFullMask, st.acc[f].z, o);
      oacc[f].w = __shfl_xor_sync(kFullMask, st.acc[f].w, o);
    }
    merge(st, om, ol, oacc);
  }
  if (r == 0) {
#pragma unroll
    for (int f = 0; f < kF; ++f) acc_s[warp][c + kCL * f] = st.acc[f];
    if (c == 0) {
      m_s[warp] = st.m;
      l_s[warp] = st.l;
    }
  }
  __syncthreads();

  // The block's warps into one state, one float4 column per thread. Unsplit, warp 0 always saw
  // position 0, so the max is finite and the denominator positive; a split may have seen none.
  const int tid = static_cast<int>(threadIdx.x);
  float mx = -INFINITY, denom = 0.0f;
  float4 o = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
  if (tid < kHD / 4) {
    for (int w = 0; w < warps; ++w) mx = fmaxf(mx, m_s[w]);
    for (int w = 0; w < warps; ++w) {
      const float e = weight(m_s[w], mx);
      denom = fmaf(l_s[w], e, denom);
      o = fma4(e, acc_s[w][tid], o);
    }
  }
  sb_trace_warp_end();  // SWAPBENCH_TRACE: the warps' work is done (the stores remain)
  float4* out = reinterpret_cast<float4*>(a.out + static_cast<int64_t>(h) * kHD);
  if (splits == 1) {
    if (tid < kHD / 4) out[tid] = scale4(1.0f / denom, o);
    return;
  }

  // Split: publish this block's state, fence, take a ticket (the threadFenceReduction pattern);
  // the head's last block merges every split's state.
  const int64_t at = static_cast<int64_t>(h) * splits + split;
  if (tid < kHD / 4) {
    part.acc[at * (kHD / 4) + tid] = o;
    if (tid == 0) part.ml[at] = make_float2(mx, denom);
    __threadfence();
  }
  __shared__ bool last;
  __syncthreads();
  if (tid == 0) {
    last = atomicAdd(part.counters + h, 1u) == static_cast<unsigned>(splits) - 1;
    // Every split of the head has drawn: zero for the next call (which draws only after its grid
    // wait, when this launch has completed).
    if (last) part.counters[h] = 0u;
  }
  __syncthreads();
  if (!last) return;
  __threadfence();
  if (tid < kHD / 4) {
    const int64_t first = static_cast<int64_t>(h) * splits;
    float m_all = -INFINITY;
    for (int sp = 0; sp < splits; ++sp) m_all = fmaxf(m_all, __ldcg(part.ml + first + sp).x);
    float l_all = 0.0f;
    float4 o_all = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
    for (int sp = 0; sp < splits; ++sp) {
      const float2 ml = __ldcg(part.ml + first + sp);
      const float e = weight(ml.x, m_all);
      l_all = fmaf(ml.y, e, l_all);
      o_all = fma4(e, __ldcg(part.acc + (first + sp) * (kHD / 4) + tid), o_all);
    }
    out[tid] = scale4(1.0f / l_all, o_all);
  }
}

int splits_for(const Args& a, int64_t param) {
  const int64_t s =
      param > 0 ? param : std::clamp<int64_t>(a.max_ctx / kAutoSplitPositions, 1, kAutoMaxSplits);
  return static_cast<int>(std::clamp<int64_t>(s, 1, std::min<int64_t>(kMaxSplits, a.max_ctx)));
}

std::optional<std::string> applies(const Shape& s) {
  if (auto r = require(s.heads > 0 && s.kv_heads > 0 && s.heads % s.kv_heads == 0,
                       "heads must be a positive multiple of kv_heads"))
    return r;
  if (auto r =
          require(s.head_dim == 32 || s.head_dim == 64 || s.head_dim == 128 || s.head_dim == 256,
                  "head_dim must be 32, 64, 128 or 256 (16 floats per lane, lanes per "
                  "position a power of two)"))
    return r;
  return require(s.max_ctx > 0, "max_ctx must be positive");
}

void launch(const Args& a, const LaunchCtx& ctx) {
  if (reinterpret_cast<uintptr_t>(a.k_cache) % alignof(float4) != 0 ||
      reinterpret_cast<uintptr_t>(a.v_cache) % alignof(float4) != 0 ||
      reinterpret_cast<uintptr_t>(a.q) % alignof(float4) != 0 ||
      reinterpret_cast<uintptr_t>(a.out) % alignof(float4) != 0)
    throw std::invalid_argument(
        "attn_decode.warp_tile: q, out and the caches must be 16-byte aligned");
  const int warps = static_cast<int>(ctx.param("warps"));
  const int splits = splits_for(a, ctx.param("splits"));
  Partials part{};
  if (splits > 1) {
    if (ctx.zeroed == nullptr)
      throw std::invalid_argument(
          "attn_decode.warp_tile: splits > 1 needs zeroed memory for its ticket counters");
    auto* ws = static_cast<uint8_t*>(ctx.workspace);
    part.counters = static_cast<unsigned*>(ctx.zeroed);
    part.ml = reinterpret_cast<float2*>(ws);
    const size_t ml_bytes = (sizeof(float2) * size_t(a.heads) * size_t(splits) + 15) & ~size_t{15};
    part.acc = reinterpret_cast<float4*>(ws + ml_bytes);
  }
  const dim3 grid(static_cast<unsigned>(a.heads), static_cast<unsigned>(splits));
  const dim3 block(static_cast<unsigned>(warps * kWarpSize));
  const auto kernel = a.head_dim == 32    ? warp_tile_kernel<32>
                      : a.head_dim == 64  ? warp_tile_kernel<64>
                      : a.head_dim == 128 ? warp_tile_kernel<128>
                                          : warp_tile_kernel<256>;
  launch_kernel("attn_decode.warp_tile", kernel, grid, block, 0, ctx, a, part);
}

}  // namespace

SB_ON_LOAD {
  register_variant<Args>(
      {.slot = "attn_decode",
       .name = "warp_tile",
       .backend = Backend::cuda,
       .equality = Equality::reassociates,
       .rationale = "One block per query head as block_head, but a position's K and V rows are "
                    "split over head_dim / 16 lanes, so a warp holds 2 * 512 / head_dim "
                    "positions per pass and every lane issues all the K and V loads of its tile "
                    "before using them: one memory round trip per tile instead of block_head's "
                    "chain of 32 dependent V reads. Per-lane online softmax, merged by xor "
                    "shuffles in the warp and through shared memory across warps. Long "
                    "contexts split positions over several blocks per head (flash-decoding), "
                    "merged by the last block to arrive. Summation order differs from "
                    "block_head.",
       .params = {{.name = "warps",
                   .min = 1,
                   .max = kMaxWarps,
                   .def = 8,
                   .doc = "warps per block (positions are dealt to warps in tiles); changes the "
                          "summation order"},
                  {.name = "splits",
                   .min = 0,
                   .max = kMaxSplits,
                   .def = 0,
                   .doc = "blocks per head, each over an equal range of positions, merged by the "
                          "last to finish (0: one per 512 cache positions, at most 32; 1: no "
                          "workspace, no ticket)"}},
       .applies = applies,
       .bytes = [](const Shape& s) { return traffic::attn_bytes(s, double(s.max_ctx)); },
       .flops = [](const Shape& s) { return traffic::attn_flops(s, double(s.max_ctx)); },
       .workspace_bytes = workspace_for,
       .zeroed_bytes = zeroed_for,
       .fallback = "block_head"},
      &launch);
}

}  // namespace swapbench::attn_decode
