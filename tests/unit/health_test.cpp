// Host-health judgement on crafted NVML samples: throttling and other processes are flagged
// with evidence; idle and application-clock bits are not; no NVML means "not sampled".
#include <gtest/gtest.h>

#include "harness/health.h"

namespace swapbench {
namespace {

nvml::Sample sample(unsigned sm, unsigned long long reasons = 0, unsigned procs = 1) {
  return {.sm_clock_mhz = sm, .mem_clock_mhz = 3201, .temperature_c = 50, .power_mw = 300000,
          .throttle_reasons = reasons, .processes = procs};
}

TEST(Health, SteadyClocksAloneOnTheGpuAreHealthy) {
  const HealthReport r = judge({sample(1980), sample(1980, 0x1), sample(1975, 0x2)});
  EXPECT_TRUE(r.sampled);
  EXPECT_TRUE(r.healthy);
  EXPECT_EQ(r.sm_clock_min, 1975u);
  EXPECT_EQ(r.sm_clock_max, 1980u);
  EXPECT_DOUBLE_EQ(r.power_max_w, 300.0);
}

TEST(Health, ThermalThrottlingIsUnhealthyWithEvidence) {
  const HealthReport r = judge({sample(1980), sample(1500, 0x40), sample(1400, 0x40 | 0x1)});
  EXPECT_FALSE(r.healthy);
  ASSERT_EQ(r.evidence.size(), 1u);
  EXPECT_NE(r.evidence[0].find("throttled in 2 of 3 samples (sw-thermal)"), std::string::npos)
      << r.evidence[0];
  EXPECT_NE(r.evidence[0].find("1400..1980 MHz"), std::string::npos) << r.evidence[0];
}

TEST(Health, AnotherProcessOnTheGpuIsUnhealthy) {
  const HealthReport r = judge({sample(1980, 0, 2)});
  EXPECT_FALSE(r.healthy);
  ASSERT_EQ(r.evidence.size(), 1u);
  EXPECT_NE(r.evidence[0].find("1 other compute process"), std::string::npos);
}

TEST(Health, ReportSurvivesJson) {
  const HealthReport r = judge({sample(1980), sample(1500, 0x40, 2)});
  const HealthReport back = HealthReport::from_json(r.to_json());
  EXPECT_EQ(back.to_json(), r.to_json());
  EXPECT_EQ(back.sm_clock_min, 1500u);
  EXPECT_EQ(back.max_processes, 2u);
  EXPECT_FALSE(back.healthy);
}

TEST(Health, NoSamplesMeansNotSampledRatherThanHealthy) {
  const HealthReport r = judge({});
  EXPECT_FALSE(r.sampled);
  EXPECT_EQ(r.samples, 0u);
}

TEST(Health, SamplerWithoutADriverSaysWhy) {
  HealthSampler s(0, std::chrono::milliseconds(5));
  const HealthReport r = s.stop();
  if (nvml::available()) GTEST_SKIP() << "a driver is present: covered on the GPU host";
  EXPECT_FALSE(r.sampled);
  EXPECT_NE(r.why_not_sampled.find("libnvidia-ml"), std::string::npos) << r.why_not_sampled;
}

}  // namespace
}  // namespace swapbench
