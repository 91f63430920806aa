// Slot `argmax`: greedy sampling, the index of the largest logit.
#pragma once

#include <cstdint>

namespace swapbench::argmax {

// *out = smallest i with x[i] == max(x[0..n)); NaN is never the maximum. Shape: cols = n.
struct Args {
  const float* x;
  int32_t n;
  int32_t* out;
};

void reference(const Args& a);  // CPU

}  // namespace swapbench::argmax
