// Slot `rope`: rotary position embedding of q and k, and the write of k and v into the KV cache.
#pragma once

#include <cstdint>

namespace swapbench::rope {

// llama's "normal" rope: within each head, the adjacent pair (x[2i], x[2i+1]) for
// 2i < rot_dim is rotated by theta = pos * freq_base^(-2i / rot_dim):
//   x'[2i] = x[2i] cos - x[2i+1] sin,   x'[2i+1] = x[2i] sin + x[2i+1] cos.
// q (heads * head_dim) is rotated in place. k (kv_heads * head_dim) is rotated into
// k_cache[pos], and v copied into v_cache[pos]; a cache row holds kv_heads * head_dim floats.
// Folding the cache write in saves a launch per layer. `pos` is read from device memory.
// Shape: heads, kv_heads, head_dim (rot_dim == head_dim in every model we load).
struct Args {
  float* q;
  const float* k;
  const float* v;
  float* k_cache;
  float* v_cache;
  const int32_t* pos;
  int32_t heads;
  int32_t kv_heads;
  int32_t head_dim;
  int32_t rot_dim;
  float freq_base;
};

void reference(const Args& a);  // CPU; angles in double

}  // namespace swapbench::rope
