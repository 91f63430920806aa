// The rows of one matvec launch, as every matvec kernel family takes them (matvec_kernels.cuh's
// float path, coalesced_kernels.cuh's ring, which adds its tuning to it): rows [0, rows1) of w1
// -> y1, rows [rows1, rows_total) of w2 -> y2 (a pair); a single matvec has rows1 == rows_total
// and w1 == w2. `res`, when set, is added (y = res + W x).
#pragma once

#include <cstdint>

#include "kernels/common/dtype.h"
#include "kernels/common/quant.h"

namespace swapbench::mv {

struct Job {
  const uint8_t* w1;
  const uint8_t* w2;
  const float* x;
  const float* res;
  float* y1;
  float* y2;
  int rows1;
  int rows_total;
  int nb;              // 32-element blocks per row
  uint64_t row_bytes;  // bytes per row (both matrices)
};

// The Job of a pair sharing x (matvec_pair): rows1 rows of w1 -> y1, then rows2 of w2 -> y2.
inline Job pair_job(const void* w1, const void* w2, const float* x, float* y1, float* y2,
                    int32_t rows1, int32_t rows2, int32_t cols, DType type) {
  return Job{.w1 = static_cast<const uint8_t*>(w1),
             .w2 = static_cast<const uint8_t*>(w2),
             .x = x,
             .res = nullptr,
             .y1 = y1,
             .y2 = y2,
             .rows1 = rows1,
             .rows_total = rows1 + rows2,
             .nb = cols / kQK,
             .row_bytes = row_bytes(type, static_cast<uint64_t>(cols))};
}

// The Job of one plain matvec: a pair whose second matrix has no rows, with `res` added when set.
inline Job single_job(const void* w, const float* x, const float* res, float* y, int32_t rows,
                      int32_t cols, DType type) {
  Job j = pair_job(w, w, x, y, y, rows, 0, cols, type);
  j.res = res;
  return j;
}

}  // namespace swapbench::mv
