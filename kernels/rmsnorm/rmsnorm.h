// Slot `rmsnorm`: root-mean-square normalisation with a learned per-element scale.
#pragma once

#include <cstdint>

namespace swapbench::rmsnorm {

// out[i] = x[i] / sqrt(mean_j(x[j]^2) + eps) * weight[i], for i < n. out may not alias x.
// Shape: cols = n.
struct Args {
  const float* x;
  const float* weight;
  float* out;
  int32_t n;
  float eps;
};

void reference(const Args& a);  // CPU; sums squares in double, in index order

}  // namespace swapbench::rmsnorm
