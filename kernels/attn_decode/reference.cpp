// CPU reference of slot `attn_decode`, and the slot's registration.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "kernels/attn_decode/attn_decode.h"
#include "kernels/common/variant.h"

namespace swapbench::attn_decode {

void reference(const Args& a) {
  if (a.head_dim > kMaxHeadDim)
    throw std::invalid_argument("attn_decode: head_dim " + std::to_string(a.head_dim) + " > " +
                                std::to_string(kMaxHeadDim));
  const int32_t n = *a.pos + 1;
  const int32_t group = a.heads / a.kv_heads;
  const int64_t row = int64_t(a.kv_heads) * a.head_dim;
  const double scale = 1.0 / std::sqrt(double(a.head_dim));
  for (int32_t h = 0; h < a.heads; ++h) {
    const float* q = a.q + int64_t(h) * a.head_dim;
    const int64_t g = (h / group) * int64_t(a.head_dim);
    // Two passes (max, then exp-sum and weighted sum) keep the reference obviously right;
    // no allocation: accumulate the output directly in double per element.
    double mx = -INFINITY;
    for (int32_t t = 0; t < n; ++t) {
      double s = 0.0;
      for (int32_t d = 0; d < a.head_dim; ++d) s += double(q[d]) * a.k_cache[t * row + g + d];
      mx = std::max(mx, s * scale);
    }
    double denom = 0.0;
    float* out = a.out + int64_t(h) * a.head_dim;
    double acc[kMaxHeadDim] = {};  // the output row, accumulated in double
    for (int32_t t = 0; t < n; ++t) {
      double s = 0.0;
      for (int32_t d = 0; d < a.head_dim; ++d) s += double(q[d]) * a.k_cache[t * row + g + d];
      const double p = std::exp(s * scale - mx);
      denom += p;
      for (int32_t d = 0; d < a.head_dim; ++d) acc[d] += p * a.v_cache[t * row + g + d];
    }
    for (int32_t d = 0; d < a.head_dim; ++d) out[d] = static_cast<float>(acc[d] / denom);
  }
}

SB_ON_LOAD {
  Registry::instance().add_slot({.key = "attn_decode",
                                 .family = "attn_decode",
                                 .contract = "softmax(q k^T / sqrt(d)) v over cache rows 0..pos, "
                                             "grouped-query heads, f32 cache",
                                 .cpu_reference = "cpu_ref",
                                 .cuda_reference = "block_head"});
}

}  // namespace swapbench::attn_decode
