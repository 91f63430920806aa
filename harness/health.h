// Host health while a trial runs: NVML sampled on a background thread (clocks, temperature,
// power, throttle reasons, other processes), summarised and judged healthy or not.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "harness/nvml.h"

namespace swapbench {

struct HealthReport {
  bool sampled = false;  // false when NVML is unavailable (CPU trials, no driver)
  std::string why_not_sampled;
  size_t samples = 0;
  unsigned sm_clock_min = 0, sm_clock_max = 0, mem_clock_min = 0, mem_clock_max = 0;
  unsigned temperature_max = 0;
  double power_max_w = 0;
  unsigned long long throttle_reasons = 0;  // OR of every sample, idle bit excluded
  unsigned max_processes = 0;               // compute processes seen on the GPU, ours included
  bool healthy = true;
  std::vector<std::string> evidence;  // why it is not healthy, one line each
  nlohmann::json to_json() const;
  static HealthReport from_json(const nlohmann::json& j);  // the inverse of to_json
};

// Starts sampling device `index` every `period` on construction; stop() returns the report.
class HealthSampler {
 public:
  explicit HealthSampler(unsigned index = 0,
                         std::chrono::milliseconds period = std::chrono::milliseconds(50));
  ~HealthSampler();
  HealthReport stop();

 private:
  void loop();
  unsigned index_;
  std::chrono::milliseconds period_;
  std::atomic<bool> running_{false};
  std::mutex mu_;
  std::vector<nvml::Sample> samples_;
  std::thread thread_;
  std::string why_not_;
};

// Judges samples: throttled (any reason but idle and application-clock setting) or another
// process on the GPU makes the trial unhealthy, with the evidence. Exposed for tests.
HealthReport judge(const std::vector<nvml::Sample>& samples);

}  // namespace swapbench
