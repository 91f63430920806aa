// Slot `swiglu`: the gated activation of llama's FFN.
#pragma once

#include <cstdint>

namespace swapbench::swiglu {

// out[i] = gate[i] / (1 + exp(-gate[i])) * up[i]. Shape: cols = n.
struct Args {
  const float* gate;
  const float* up;
  float* out;
  int32_t n;
};

void reference(const Args& a);  // CPU, in double

}  // namespace swapbench::swiglu
