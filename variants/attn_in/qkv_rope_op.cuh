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
  int32_t early_pos = -1;  // *pos, when a kernel read it before its grid wait (read_early)

  // The position is a step input, written by the previous step's advance: every launch before
  // the predecessor of attn_in has completed when it starts (kernels/common/launch.cuh), so a
  // kernel may read it before its grid wait, off the critical path of the stores.
  __device__ void read_early() { early_pos = *pos; }

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
                   row_bytes(a.type, static_cast<uint64_t>(a.dim))};
}

}  // namespace swapbench::attn_in
