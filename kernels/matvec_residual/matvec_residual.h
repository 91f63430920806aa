// Slot family `matvec_residual.<type>`: a matvec whose result is added to a residual stream.
#pragma once

#include <cstdint>

#include "kernels/common/dtype.h"

namespace swapbench::matvec_residual {

// y[r] = residual[r] + sum_c W[r][c] * x[c]. y may alias residual (the decode adds in place:
// each element is read before it is written, by the same thread). Shape: rows, cols.
// Under PDL (kernels/common/launch.cuh) x comes from the launch just before; the residual comes
// from an earlier one (the decode step's wo follows attention, its down follows the FFN input),
// or from the launch just before when that launch made it visible device-wide before letting
// this one start (down after wo_ffn_in, kernels/wo_ffn_in/wo_ffn_in.h). So a variant may read the
// residual before its grid wait, from L2 (never a possibly stale L1 line: __ldcg). Before its
// wait a variant reads nothing but the weights and the residual, and writes nothing: wo may start
// while the launch two before it (attn_in or rope) still runs, since attention may trigger its
// dependents early (attn_decode.h).
struct Args {
  const void* w;
  const float* x;
  const float* residual;
  float* y;
  int32_t rows;
  int32_t cols;
  DType type;
};

void reference(const Args& a);  // CPU: the matvec reference, then one float add per row

}  // namespace swapbench::matvec_residual
