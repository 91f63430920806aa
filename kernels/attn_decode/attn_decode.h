// Slot `attn_decode`: one query token attending over the KV cache, grouped-query heads.
#pragma once

#include <cstdint>

namespace swapbench::attn_decode {

// For head h with kv head g = h / (heads / kv_heads), over positions t = 0..*pos:
//   s[t] = dot(q_h, k_cache[t]_g) / sqrt(head_dim);  p = softmax(s);  out_h = sum_t p[t]
//   v_cache[t]_g
// The cache is f32, row t holds kv_heads * head_dim floats. `pos` is read from device memory,
// so one captured step serves every position. Shape: heads, kv_heads, head_dim, max_ctx.
// Under PDL (kernels/common/launch.cuh) only cache row *pos and q come from the launch just
// before (rope or attn_in); *pos and the rows before it are older, so a variant may read them
// before its grid wait. A variant may also let its dependent launch before its own wait
// (warp_tile does): the launch after attention in the decode step is wo (matvec_residual), which
// touches nothing before its wait that attention or the launch before it writes.
struct Args {
  const float* q;
  const float* k_cache;
  const float* v_cache;
  float* out;
  const int32_t* pos;
  int32_t heads;
  int32_t kv_heads;
  int32_t head_dim;
  int32_t max_ctx;
};

inline constexpr int32_t kMaxHeadDim = 256;  // every llama we load has 64 or 128

void reference(const Args& a);  // CPU; scores, softmax and weighted sum in double

}  // namespace swapbench::attn_decode
