// Run-time binding of the NVML calls swapbench uses (see nvml.h).
#include "harness/nvml.h"

#include <dlfcn.h>

#include <mutex>

namespace swapbench::nvml {
namespace {

// Signatures as in nvml.h (stable C ABI since NVML 4): return 0 (NVML_SUCCESS) on success.
using Ret = int;
using Device = void*;
struct Api {
  void* lib = nullptr;
  std::string why;
  Ret (*init)() = nullptr;
  Ret (*driver)(char*, unsigned) = nullptr;
  Ret (*handle)(unsigned, Device*) = nullptr;
  Ret (*clock)(Device, int, unsigned*) = nullptr;
  Ret (*temp)(Device, int, unsigned*) = nullptr;
  Ret (*power)(Device, unsigned*) = nullptr;
  Ret (*reasons)(Device, unsigned long long*) = nullptr;
  Ret (*procs)(Device, unsigned*, void*) = nullptr;
};

template <class F>
void bind(Api& a, F& f, const char* name) {
  f = reinterpret_cast<F>(dlsym(a.lib, name));
}

const Api& api() {
  static Api a;
  static std::once_flag once;
  std::call_once(once, [] {
    a.lib = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!a.lib) {
      a.why = "libnvidia-ml.so.1 not found (no NVIDIA driver)";
      return;
    }
    bind(a, a.init, "nvmlInit_v2");
    bind(a, a.driver, "nvmlSystemGetDriverVersion");
    bind(a, a.handle, "nvmlDeviceGetHandleByIndex_v2");
    bind(a, a.clock, "nvmlDeviceGetClockInfo");
    bind(a, a.temp, "nvmlDeviceGetTemperature");
    bind(a, a.power, "nvmlDeviceGetPowerUsage");
    bind(a, a.reasons, "nvmlDeviceGetCurrentClocksThrottleReasons");
    bind(a, a.procs, "nvmlDeviceGetComputeRunningProcesses_v3");
    if (!a.init || !a.driver || !a.handle || a.init() != 0) {
      a.why = "NVML could not be initialised";
      a.init = nullptr;
    }
  });
  return a;
}

}  // namespace

bool available(std::string* why_not) {
  const Api& a = api();
  if (a.init) return true;
  if (why_not) *why_not = a.why;
  return false;
}

std::optional<std::string> driver_version() {
  if (!available()) return std::nullopt;
  char buf[96] = {};
  if (api().driver(buf, sizeof buf) != 0) return std::nullopt;
  return std::string(buf);
}

std::optional<Sample> sample(unsigned index) {
  if (!available()) return std::nullopt;
  const Api& a = api();
  Device d = nullptr;
  if (a.handle(index, &d) != 0) return std::nullopt;
  Sample s;
  constexpr int kGraphicsClock = 0, kSmClock = 1, kMemClock = 2, kGpuSensor = 0;
  (void)kGraphicsClock;
  if (a.clock) {
    a.clock(d, kSmClock, &s.sm_clock_mhz);
    a.clock(d, kMemClock, &s.mem_clock_mhz);
  }
  if (a.temp) a.temp(d, kGpuSensor, &s.temperature_c);
  if (a.power) a.power(d, &s.power_mw);
  if (a.reasons) a.reasons(d, &s.throttle_reasons);
  if (a.procs) {
    unsigned count = 0;
    // With a null buffer NVML reports the count (and an "insufficient size" code when > 0).
    a.procs(d, &count, nullptr);
    s.processes = count;
  }
  return s;
}

}  // namespace swapbench::nvml
