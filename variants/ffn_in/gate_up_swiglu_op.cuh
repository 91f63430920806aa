// The pair op of the fused ffn_in variants (fused, coalesced): a gate row and its up row dotted
// together, stored as silu(gate) * up. One copy, so that both variants compute act alike.
#pragma once

#include <cstdint>

#include "kernels/common/dtype.h"
#include "kernels/ffn_in/ffn_in.h"

namespace swapbench::ffn_in {

// Unit r = row r of W_gate and row r of W_up.
struct GateUpSwigluOp {
  const uint8_t *w_gate, *w_up;
  float* act;
  int units;
  uint64_t row_bytes;

  __device__ const uint8_t* row(int unit, int r) const {
    return (r == 0 ? w_gate : w_up) + uint64_t(unit) * row_bytes;
  }
  __device__ void store(int unit, const float (&sum)[2]) const {
    const float g = sum[0];
    act[unit] = g / (1.0f + expf(-g)) * sum[1];  // as swiglu.elementwise
  }
};

inline GateUpSwigluOp gate_up_swiglu_op(const Args& a) {
  return GateUpSwigluOp{static_cast<const uint8_t*>(a.w_gate), static_cast<const uint8_t*>(a.w_up),
                        a.act, a.rows, row_bytes(a.type, static_cast<uint64_t>(a.dim))};
}

}  // namespace swapbench::ffn_in
