// CPU reference of slot `rope`, and the slot's registration.
#include <cmath>

#include "kernels/common/variant.h"
#include "kernels/rope/rope.h"

namespace swapbench::rope {

namespace {
void rotate(float* x, const float* src, int32_t head_dim, int32_t rot_dim, double pos,
            double base) {
  for (int32_t i = 0; i + 1 < head_dim; i += 2) {
    if (i >= rot_dim) {
      x[i] = src[i];
      x[i + 1] = src[i + 1];
      continue;
    }
    const double theta = pos * std::pow(base, -double(i) / double(rot_dim));
    const double c = std::cos(theta), s = std::sin(theta);
    const double x0 = src[i], x1 = src[i + 1];
    x[i] = static_cast<float>(x0 * c - x1 * s);
    x[i + 1] = static_cast<float>(x0 * s + x1 * c);
  }
}
}  // namespace

void reference(const Args& a) {
  const double pos = *a.pos;
  for (int32_t h = 0; h < a.heads; ++h) {
    float* q = a.q + int64_t(h) * a.head_dim;
    rotate(q, q, a.head_dim, a.rot_dim, pos, a.freq_base);
  }
  const int64_t row = int64_t(a.kv_heads) * a.head_dim;
  float* kc = a.k_cache + int64_t(*a.pos) * row;
  float* vc = a.v_cache + int64_t(*a.pos) * row;
  for (int32_t h = 0; h < a.kv_heads; ++h)
    rotate(kc + int64_t(h) * a.head_dim, a.k + int64_t(h) * a.head_dim, a.head_dim, a.rot_dim,
           pos, a.freq_base);
  for (int64_t i = 0; i < row; ++i) vc[i] = a.v[i];
}

SB_ON_LOAD {
  Registry::instance().add_slot({.key = "rope",
                                 .family = "rope",
                                 .contract = "rotate adjacent pairs of q (in place) and k by "
                                             "pos * base^(-2i/d); write k, v into cache row pos",
                                 .cpu_reference = "cpu_ref",
                                 .cuda_reference = "thread_pair"});
}

}  // namespace swapbench::rope
