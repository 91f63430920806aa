// CUDA reference of `rope`: one thread per rotated pair, over the q heads then the k heads; a k
// thread also copies the matching pair of v, so the cache write costs no extra launch.
// Saves launches (rope + two cache copies in one) and reads `pos` on the device, so one captured
// step serves every position. Not bit-identical to the CPU reference (angles in double): here
// inv_freq = powf(base, -i/rot_dim) and theta = pos * inv_freq are float, then sincosf (full
// range reduction, not fast-math). theta carries a relative error of ~1 ulp, i.e. an absolute
// error up to ~pos * 2^-23 rad (5e-4 rad at pos 4096) on the highest frequencies; pair 0 has
// inv_freq == 1 exactly, so its angle is exact. Expected NMSE vs the CPU ~1e-8 at pos 4096.
#include <cuda_runtime.h>

#include "kernels/common/cuda_check.h"
#include "kernels/common/launch.cuh"
#include "kernels/common/rope.cuh"
#include "kernels/common/traffic.h"
#include "kernels/rope/rope.h"

namespace swapbench::rope {
namespace {

constexpr int kThreads = 256;

__global__ void thread_pair_kernel(Args a) {
  sb_grid_wait();
  sb_grid_launch_dependents();
  const int32_t half = a.head_dim / 2;
  const int32_t q_pairs = a.heads * half;
  const int32_t pairs = q_pairs + a.kv_heads * half;
  const int32_t p = static_cast<int32_t>(blockIdx.x * blockDim.x + threadIdx.x);
  if (p >= pairs) return;
  const int32_t pos = *a.pos;
  const float fpos = static_cast<float>(pos);
  if (p < q_pairs) {
    const int32_t head = p / half, i = 2 * (p % half);
    float* q = a.q + static_cast<int64_t>(head) * a.head_dim + i;
    cuda::rope_rotate_pair(q[0], q[1], q, i, a.rot_dim, fpos, a.freq_base);
    return;
  }
  const int32_t kp = p - q_pairs;
  const int32_t head = kp / half, i = 2 * (kp % half);
  const int64_t off = static_cast<int64_t>(head) * a.head_dim + i;
  const int64_t row = static_cast<int64_t>(pos) * a.kv_heads * a.head_dim;
  cuda::rope_rotate_pair(a.k[off], a.k[off + 1], a.k_cache + row + off, i, a.rot_dim, fpos, a.freq_base);
  a.v_cache[row + off] = a.v[off];
  a.v_cache[row + off + 1] = a.v[off + 1];
}

void launch(const Args& a, const LaunchCtx& ctx) {
  const int32_t pairs = (a.heads + a.kv_heads) * (a.head_dim / 2);
  const int blocks = (pairs + kThreads - 1) / kThreads;
  launch_kernel("rope.thread_pair", thread_pair_kernel, blocks, kThreads, 0, ctx, a);
}

}  // namespace

SB_ON_LOAD {
  register_variant<Args>(
      {.slot = "rope",
       .name = "thread_pair",
       .backend = Backend::cuda,
       .equality = Equality::bitwise,
       .rationale = "One thread per adjacent pair of q and k (plus the v pair into the cache), "
                    "angles in float via powf and sincosf. One launch does rope and both cache "
                    "writes; the position is read on the device. Float angles differ from the "
                    "double CPU reference by ~pos * 2^-23 rad at most.",
       .applies =
           [](const Shape& s) {
             return require(s.head_dim > 0 && s.head_dim % 2 == 0 && s.heads > 0 &&
                                s.kv_heads > 0,
                            "head_dim must be even and heads, kv_heads positive");
           },
       .bytes = [](const Shape& s) { return traffic::rope_bytes(s); },
       .flops = [](const Shape& s) { return 6.0 * double((s.heads + s.kv_heads) * s.head_dim); }},
      &launch);
}

}  // namespace swapbench::rope
