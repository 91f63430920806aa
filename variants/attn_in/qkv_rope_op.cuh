// The pair op of the fused attn_in variants (fused, coalesced): which weight rows a warp dots
// and how their sums are stored. One copy, so that both variants rope and cache alike.
#pragma once

#include <cstdint>

#include "kernels/attn_in/attn_in.h"
#include "kernels/common/dtype.h"
#include "kernels/common/rope.cuh"

namespace swapbench::attn_in {

// Unit u = rows 2u and 2u + 1 of [Wq; Wk; Wv]: a rope pair (head_dim is even, so a pair never
// straddles two heads or two matrices). store rotates a q pair in place into q, a k pair into
// k_cache[pos], and copies a v pair into v_cache[pos].
struct QkvRopeOp {
  const uint8_t *wq, *wk, *wv;
  float *q, *k_cache, *v_cache;
  const int32_t* pos;
  int q_rows, kv_rows, head_dim, rot_dim;
  float freq_base;
  int units;
  uint64_t row_bytes;
  const float* rope_table;  // Args::rope_table, or nullptr
  int32_t early_pos = -1;   // *pos, when a kernel read it before its grid wait (read_early)
  int prepared_unit = -1;   // the unit whose angle prepare() loaded into cos_, sin_
  float cos_ = 1.0f, sin_ = 0.0f;

  // The position is a step input, written by the previous step's advance: every launch before
  // the predecessor of attn_in has completed when it starts (kernels/common/launch.cuh), so a
  // kernel may read it before its grid wait, off the critical path of the stores.
  __device__ void read_early() { early_pos = *pos; }

  // By the thread that will store `unit`, early in the kernel (after read_early): its angle from
  // the rope table, so that the store needs no powf and sincosf after the sums (~0.5 us of
  // attn_in's path on the H200). Without a table, or for a v pair, nothing.
  __device__ void prepare(int unit) {
    const int g = 2 * unit;
    const int i = g < q_rows ? g % head_dim : g < q_rows + kv_rows ? (g - q_rows) % head_dim : -1;
    if (rope_table == nullptr || i < 0 || i >= rot_dim) return;
    const int32_t p = early_pos >= 0 ? early_pos : *pos;
    const float2 cs = __ldg(reinterpret_cast<const float2*>(rope_table + int64_t(p) * rot_dim + i));
    cos_ = cs.x;
    sin_ = cs.y;
    prepared_unit = unit;
  }

  __device__ const uint8_t* row(int unit, int r) const {
    const int g = 2 * unit + r;
    if (g < q_rows) return wq + uint64_t(g) * row_bytes;
    if (g < q_rows + kv_rows) return wk + uint64_t(g - q_rows) * row_bytes;
    return wv + uint64_t(g - q_rows - kv_rows) * row_bytes;
  }
  __device__ void store(int unit, const float (&sum)[2]) const {
    const int g = 2 * unit;
    const int32_t p = early_pos >= 0 ? early_pos : *pos;
    const float fpos = static_cast<float>(p);
    if (unit == prepared_unit) {  // a q or k pair at i < rot_dim: the rotation, table's angle
      float* dst = g < q_rows ? q + g : k_cache + int64_t(p) * kv_rows + (g - q_rows);
      cuda::rope_apply(sum[0], sum[1], dst, cos_, sin_);
      return;
    }
    if (g < q_rows) {
      cuda::rope_rotate_pair(sum[0], sum[1], q + g, g % head_dim, rot_dim, fpos, freq_base);
      return;
    }
    const int64_t row = int64_t(p) * kv_rows;
    if (g < q_rows + kv_rows) {
      const int kr = g - q_rows;
      cuda::rope_rotate_pair(sum[0], sum[1], k_cache + row + kr, kr % head_dim, rot_dim, fpos,
                             freq_base);
      return;
    }
    const int vr = g - q_rows - kv_rows;
    v_cache[row + vr] = sum[0];
    v_cache[row + vr + 1] = sum[1];
  }
};

inline QkvRopeOp qkv_rope_op(const Args& a) {
  const int q_rows = a.heads * a.head_dim, kv_rows = a.kv_heads * a.head_dim;
  return QkvRopeOp{static_cast<const uint8_t*>(a.wq),
                   static_cast<const uint8_t*>(a.wk),
                   static_cast<const uint8_t*>(a.wv),
                   a.q,
                   a.k_cache,
                   a.v_cache,
                   a.pos,
                   q_rows,
                   kv_rows,
                   a.head_dim,
                   a.rot_dim,
                   a.freq_base,
                   (q_rows + 2 * kv_rows) / 2,
                   row_bytes(a.type, static_cast<uint64_t>(a.dim)),
                   a.rope_table};
}

}  // namespace swapbench::attn_in
