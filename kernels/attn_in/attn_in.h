// Slot family `attn_in.<type>`: the input side of a llama attention block in one slot call:
// rmsnorm, the Q, K and V projections, rope, and the write of k and v into the KV cache.
//
// Why a slot of its own: in a small model each of those five launches costs more in latency
// than in work, so a variant that does all of it in one launch is the idea worth measuring.
// The reference variants (`cpu_ref`, `unfused`) are the separate slot calls: when a plan does not
// name `attn_in`, the decode step makes exactly those calls, each following the plan
// (runner/engine/llama_step.cpp), and a variant of this slot replaces all five.
#pragma once

#include <cstdint>

#include "kernels/common/dtype.h"

namespace swapbench::attn_in {

// xn = rmsnorm(x, norm, eps); q = Wq xn; k = Wk xn; v = Wv xn (Wq: heads * head_dim rows,
// Wk and Wv: kv_heads * head_dim rows, all `dim` columns of `type`); then rope (as the `rope`
// slot: adjacent pairs, rot_dim, freq_base, position *pos) rotates q in place and k into
// k_cache[pos], and v is stored in v_cache[pos] (cache rows of kv_heads * head_dim floats).
// Nothing else is written. Under PDL (kernels/common/launch.cuh) x comes from the launch just
// before; *pos, the norm and the weights from earlier ones, so a variant may read them before
// its grid wait. rope_table, when set, holds rope's angles for every position below the cache's
// (kernels/common/rope_table.h), written before the first step: a variant may load row *pos
// instead of computing the angle, with the same bits; nullptr: compute it. Shape: rows =
// heads * head_dim, rows2 = kv_heads * head_dim, cols = dim, heads, kv_heads, head_dim, max_ctx.
struct Args {
  const float* x;
  const float* norm;
  float eps;
  const void* wq;
  const void* wk;
  const void* wv;
  float* q;
  float* k_cache;
  float* v_cache;
  const int32_t* pos;
  int32_t dim;
  int32_t heads;
  int32_t kv_heads;
  int32_t head_dim;
  int32_t rot_dim;
  float freq_base;
  DType type;
  const float* rope_table = nullptr;
};

// CPU: the rmsnorm, matvec and rope references in sequence (scratch from the heap).
void reference(const Args& a);

}  // namespace swapbench::attn_in
