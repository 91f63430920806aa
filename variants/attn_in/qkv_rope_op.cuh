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
// k_cache[pos], and copies a v pair into v_cache[pos]. The angle comes from the engine's rope
// table when a kernel loaded it early (prepare, table_angle), else it is computed at the store:
// the same bits either way (kernels/common/rope_table.h).
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

  __device__ int32_t position() const { return early_pos >= 0 ? early_pos : *pos; }

  // Where unit's pair goes at position p, and its even index i in its head: a q pair in q, a k
  // pair in k_cache[p] (both roped when i < rot_dim), a v pair in v_cache[p] (i = -1: copied).
  struct Target {
    float* dst;
    int i;
  };
  __device__ Target target(int unit, int32_t p) const {
    const int g = 2 * unit;
    if (g < q_rows) return {q + g, g % head_dim};
    const int64_t row = int64_t(p) * kv_rows;
    if (g < q_rows + kv_rows) return {k_cache + row + (g - q_rows), (g - q_rows) % head_dim};
    return {v_cache + row + (g - q_rows - kv_rows), -1};
  }
  __device__ bool roped(int i) const { return i >= 0 && i < rot_dim; }

  // unit's angle from the rope table into (c, s); false (nothing loaded) without a table or for a
  // pair that is copied. Before the grid wait too: the table is filled once, the position is old.
  __device__ bool table_angle(int unit, float& c, float& s) const {
    const int32_t p = position();
    const int i = target(unit, p).i;
    if (rope_table == nullptr || !roped(i)) return false;
    const float2 cs = __ldg(reinterpret_cast<const float2*>(rope_table + int64_t(p) * rot_dim + i));
    c = cs.x;
    s = cs.y;
    return true;
  }

  // By the thread that will store `unit`, early in the kernel (after read_early): its angle from
  // the rope table, so that the store needs no powf and sincosf after the sums (~0.5 us of
  // attn_in's path on the H200).
  __device__ void prepare(int unit) {
    if (table_angle(unit, cos_, sin_)) prepared_unit = unit;
  }

  __device__ const uint8_t* row(int unit, int r) const {
    const int g = 2 * unit + r;
    if (g < q_rows) return wq + uint64_t(g) * row_bytes;
    if (g < q_rows + kv_rows) return wk + uint64_t(g - q_rows) * row_bytes;
    return wv + uint64_t(g - q_rows - kv_rows) * row_bytes;
  }
  // The pair's sums rotated (by the prepared angle, else computed here) or copied to its target.
  __device__ void store(int unit, const float (&sum)[2]) const {
    store_with(unit, sum, unit == prepared_unit, cos_, sin_);
  }
  // The same with the angle given: (c, s) from table_angle when `have`, else computed here.
  __device__ void store_with(int unit, const float (&sum)[2], bool have, float c, float s) const {
    const int32_t p = position();
    const Target t = target(unit, p);
    if (!roped(t.i)) {
      t.dst[0] = sum[0];
      t.dst[1] = sum[1];
      return;
    }
    if (!have || rope_table == nullptr)
      cuda::rope_angle(t.i, rot_dim, static_cast<float>(p), freq_base, c, s);
    cuda::rope_apply(sum[0], sum[1], t.dst, c, s);
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
