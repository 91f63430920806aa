// Slot family `wo_ffn_in.<type>`: the attention block's output projection with its residual add,
// then the input side of the FFN block, in one slot call: x += Wo att, then ffn_in on the new x.
//
// Why a slot of its own: the two are consecutive launches of the decode step, and the second
// cannot start streaming its weights (the largest matrices of a llama layer) until the first one
// leaves the SMs, while the first spends its end on a dot and a store with no bytes in flight. A
// variant that runs both in one launch keeps the weight stream going across the boundary: the
// FFN's rows are already in flight while the last rows of Wo are summed (wo_ffn_in.coalesced_dp4a).
// The reference variants (`cpu_ref`, `unfused`) are the separate slot calls: when a plan does not
// name `wo_ffn_in`, the decode step makes exactly those calls, wo (matvec_residual) and then
// ffn_in (fused or not), each following the plan (runner/engine/llama_step.cpp).
#pragma once

#include <cstdint>

#include "kernels/common/dtype.h"

namespace swapbench::wo_ffn_in {

// x[r] = x[r] + sum_c Wo[r][c] att[c] for r < dim (Wo is dim x dim), as matvec_residual with y ==
// residual; then xn = rmsnorm(x, norm, eps) and act[r] = silu(Wg xn)[r] * (Wu xn)[r] for r < rows,
// as ffn_in (Wg, Wu are rows x dim). x and act are written. All three matrices are in `type`.
// Shape: rows = rows2 = rows (the FFN's), cols = dim.
// Under PDL (kernels/common/launch.cuh) att comes from the launch just before (attention); x does
// not, so a variant may read x before its grid wait, as matvec_residual may. The launch after
// (down, a matvec_residual) may read x before its own wait: a variant that lets it start before
// this call completes must have made x visible device-wide first (matvec_residual.h).
struct Args {
  const void* wo;
  const float* att;
  float* x;
  const float* norm;
  float eps;
  const void* w_gate;
  const void* w_up;
  float* act;
  int32_t rows;
  int32_t dim;
  DType type;
};

// CPU: the matvec_residual reference, then the ffn_in reference.
void reference(const Args& a);

}  // namespace swapbench::wo_ffn_in
