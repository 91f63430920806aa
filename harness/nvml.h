// NVML, loaded at run time: the management library ships with the driver, not always with the
// toolkit's headers, so swapbench declares the few calls it makes and dlopen()s
// libnvidia-ml.so.1. Without a driver every query answers "unavailable" instead of failing.
#pragma once

#include <optional>
#include <string>

namespace swapbench::nvml {

// True when libnvidia-ml could be loaded and initialised (once per process).
bool available(std::string* why_not = nullptr);

std::optional<std::string> driver_version();

// Point-in-time health of device `index` (NVML's enumeration order).
struct Sample {
  unsigned sm_clock_mhz = 0, mem_clock_mhz = 0, temperature_c = 0, power_mw = 0;
  unsigned long long throttle_reasons = 0;  // nvmlClocksEventReasons bit mask
  unsigned processes = 0;                    // compute processes on the device
};
std::optional<Sample> sample(unsigned index);

}  // namespace swapbench::nvml
