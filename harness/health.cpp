// NVML health sampling and the healthy/unhealthy judgement.
#include "harness/health.h"

#include <algorithm>
#include <sstream>

namespace swapbench {
namespace {

// nvmlClocksEventReasons bits (nvml.h): 0x1 GPU idle, 0x2 applications clocks setting,
// 0x4 SW power cap, 0x8 HW slowdown, 0x20 sync boost, 0x40 SW thermal, 0x80 HW thermal,
// 0x100 HW power brake, 0x200 display clocks.
constexpr unsigned long long kBenign = 0x1ull | 0x2ull;

std::string reasons_text(unsigned long long r) {
  static const std::pair<unsigned long long, const char*> names[] = {
      {0x4, "sw-power-cap"}, {0x8, "hw-slowdown"}, {0x20, "sync-boost"},
      {0x40, "sw-thermal"},  {0x80, "hw-thermal"}, {0x100, "hw-power-brake"},
      {0x200, "display-clocks"}};
  std::string s;
  for (const auto& [bit, name] : names)
    if (r & bit) s += (s.empty() ? "" : ",") + std::string(name);
  return s.empty() ? "other" : s;
}

}  // namespace

nlohmann::json HealthReport::to_json() const {
  return {{"sampled", sampled},
          {"why_not_sampled", why_not_sampled},
          {"samples", samples},
          {"sm_clock_mhz", {sm_clock_min, sm_clock_max}},
          {"mem_clock_mhz", {mem_clock_min, mem_clock_max}},
          {"temperature_max_c", temperature_max},
          {"power_max_w", power_max_w},
          {"throttle_reasons", throttle_reasons},
          {"max_processes", max_processes},
          {"healthy", healthy},
          {"evidence", evidence}};
}

HealthReport HealthReport::from_json(const nlohmann::json& j) {
  HealthReport r;
  r.sampled = j.value("sampled", false);
  r.why_not_sampled = j.value("why_not_sampled", "");
  r.samples = j.value("samples", size_t{0});
  if (j.contains("sm_clock_mhz")) {
    r.sm_clock_min = j["sm_clock_mhz"].at(0);
    r.sm_clock_max = j["sm_clock_mhz"].at(1);
  }
  if (j.contains("mem_clock_mhz")) {
    r.mem_clock_min = j["mem_clock_mhz"].at(0);
    r.mem_clock_max = j["mem_clock_mhz"].at(1);
  }
  r.temperature_max = j.value("temperature_max_c", 0u);
  r.power_max_w = j.value("power_max_w", 0.0);
  r.throttle_reasons = j.value("throttle_reasons", 0ull);
  r.max_processes = j.value("max_processes", 0u);
  r.healthy = j.value("healthy", true);
  r.evidence = j.value("evidence", std::vector<std::string>{});
  return r;
}

HealthReport judge(const std::vector<nvml::Sample>& samples) {
  HealthReport r;
  r.sampled = !samples.empty();
  r.samples = samples.size();
  if (samples.empty()) return r;
  r.sm_clock_min = r.mem_clock_min = ~0u;
  size_t throttled = 0;
  for (const nvml::Sample& s : samples) {
    r.sm_clock_min = std::min(r.sm_clock_min, s.sm_clock_mhz);
    r.sm_clock_max = std::max(r.sm_clock_max, s.sm_clock_mhz);
    r.mem_clock_min = std::min(r.mem_clock_min, s.mem_clock_mhz);
    r.mem_clock_max = std::max(r.mem_clock_max, s.mem_clock_mhz);
    r.temperature_max = std::max(r.temperature_max, s.temperature_c);
    r.power_max_w = std::max(r.power_max_w, s.power_mw / 1000.0);
    r.max_processes = std::max(r.max_processes, s.processes);
    const unsigned long long bad = s.throttle_reasons & ~kBenign;
    r.throttle_reasons |= bad;
    if (bad) ++throttled;
  }
  if (throttled) {
    std::ostringstream o;
    o << "throttled in " << throttled << " of " << samples.size() << " samples ("
      << reasons_text(r.throttle_reasons) << "), SM clock " << r.sm_clock_min << ".."
      << r.sm_clock_max << " MHz";
    r.evidence.push_back(o.str());
  }
  if (r.max_processes > 1) {
    r.evidence.push_back(std::to_string(r.max_processes - 1) +
                         " other compute process(es) on the GPU during the trial");
  }
  r.healthy = r.evidence.empty();
  return r;
}

HealthSampler::HealthSampler(unsigned index, std::chrono::milliseconds period)
    : index_(index), period_(period) {
  if (!nvml::available(&why_not_)) return;
  running_ = true;
  thread_ = std::thread([this] { loop(); });
}

HealthSampler::~HealthSampler() {
  running_ = false;
  if (thread_.joinable()) thread_.join();
}

void HealthSampler::loop() {
  while (running_) {
    if (auto s = nvml::sample(index_)) {
      std::lock_guard<std::mutex> lock(mu_);
      samples_.push_back(*s);
    }
    std::this_thread::sleep_for(period_);
  }
}

HealthReport HealthSampler::stop() {
  running_ = false;
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> lock(mu_);
  HealthReport r = judge(samples_);
  if (!r.sampled) r.why_not_sampled = why_not_.empty() ? "no samples" : why_not_;
  return r;
}

}  // namespace swapbench
