// A failure of the device itself (a CUDA fault, an illegal address): distinct from bad input,
// so a trial that hits one is recorded as `crashed` with the device's error text.
#pragma once

#include <stdexcept>

namespace swapbench {

struct DeviceFault : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace swapbench
