// Slot family `matvec_pair.<type>`: two matvecs that share one input (FFN gate and up).
#pragma once

#include <cstdint>

#include "kernels/common/dtype.h"

namespace swapbench::matvec_pair {

// y1 = W1 x and y2 = W2 x, both W in `type`, both with `cols` columns. Sharing x lets a
// variant read it once and launch once. Shape: rows (of W1), rows2 (of W2), cols.
struct Args {
  const void* w1;
  const void* w2;
  const float* x;
  float* y1;
  float* y2;
  int32_t rows1;
  int32_t rows2;
  int32_t cols;
  DType type;
};

void reference(const Args& a);  // CPU: two reference matvecs

}  // namespace swapbench::matvec_pair
