// The rotation of one rope pair on the device, shared by rope.thread_pair and the fused
// attn_in variants so that both rotate with the same float arithmetic (STYLE rule 5).
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace swapbench::cuda {

// The rotation of the pair at even index i of a head: pos * base^(-i / rot_dim), as its cosine
// and sine. Angles in float: inv_freq by powf, theta = pos * inv_freq, then sincosf (accurate, not
// fast-math). rope_table.h holds these values for every position, bit for bit.
__device__ __forceinline__ void rope_angle(int32_t i, int32_t rot_dim, float pos, float base,
                                           float& c, float& s) {
  const float inv_freq = powf(base, -static_cast<float>(i) / static_cast<float>(rot_dim));
  sincosf(pos * inv_freq, &s, &c);
}

// Stores (x0, x1) rotated by the angle of cosine c and sine s at dst[0], dst[1].
__device__ __forceinline__ void rope_apply(float x0, float x1, float* dst, float c, float s) {
  dst[0] = x0 * c - x1 * s;
  dst[1] = x0 * s + x1 * c;
}

// Rotates (x0, x1), the pair at even index i of a head, by rope_angle and stores it at dst[0],
// dst[1]; pairs at i >= rot_dim are copied.
__device__ __forceinline__ void rope_rotate_pair(float x0, float x1, float* dst, int32_t i,
                                                 int32_t rot_dim, float pos, float base) {
  if (i >= rot_dim) {
    dst[0] = x0;
    dst[1] = x1;
    return;
  }
  float c, s;
  rope_angle(i, rot_dim, pos, base, c, s);
  rope_apply(x0, x1, dst, c, s);
}

}  // namespace swapbench::cuda
