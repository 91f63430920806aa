// Slot family `ffn_in.<type>`: the input side of a llama FFN block in one slot call: rmsnorm,
// the gate and up projections, and swiglu.
//
// Why a slot of its own: as for attn_in, three latency-bound launches (and the gate and up
// vectors' round trip through memory) become one in a fused variant. The reference variants
// (`cpu_ref`, `unfused`) are the separate slot calls: when a plan does not name `ffn_in`, the
// decode step makes exactly those calls, each following the plan (runner/engine/llama_step.cpp).
#pragma once

#include <cstdint>

#include "kernels/common/dtype.h"

namespace swapbench::ffn_in {

// xn = rmsnorm(x, norm, eps); act[r] = silu(Wg xn)[r] * (Wu xn)[r] for r < rows, with
// silu(g) = g / (1 + exp(-g)); Wg and Wu are `rows` x `dim` in `type`. Only act is written.
// Shape: rows = rows2 = rows, cols = dim.
struct Args {
  const float* x;
  const float* norm;
  float eps;
  const void* w_gate;
  const void* w_up;
  float* act;
  int32_t rows;
  int32_t dim;
  DType type;
};

// CPU: the rmsnorm, matvec_pair and swiglu references in sequence (scratch from the heap).
void reference(const Args& a);

}  // namespace swapbench::ffn_in
