// roofline_pct (runner/trial.h): the figure issue targets are stated in, weight bytes per second
// over the measured stream-read bandwidth; 0 when either is unknown, never a made-up share.
#include <gtest/gtest.h>

#include <sstream>

#include "runner/sweep.h"
#include "runner/trial.h"

namespace swapbench {
namespace {

TrialResult trial(double tps, double weight_bytes, double peak_gbps) {
  TrialResult r;
  r.tokens_per_second = tps;
  r.weight_bytes_per_token = weight_bytes;
  r.spec.peak_gbps = peak_gbps;
  return r;
}

TEST(Roofline, IsWeightBytesPerSecondOverTheMeasuredStreamRead) {
  // llama-8b q8_0 (7.975 GB of weights per token) at 428.3 tok/s against 4352.6 GB/s.
  EXPECT_NEAR(roofline_pct(trial(428.3, 7974768896.0, 4352.63)), 78.47, 0.01);
  // Half the bandwidth's worth of bytes per second is 50%.
  EXPECT_DOUBLE_EQ(roofline_pct(trial(100.0, 2e9, 400.0)), 50.0);
}

TEST(Roofline, ScalesWithSpeedAndInverselyWithTheBandwidth) {
  const double base = roofline_pct(trial(300.0, 4.485e9, 4400.0));
  EXPECT_DOUBLE_EQ(roofline_pct(trial(600.0, 4.485e9, 4400.0)), 2 * base);
  EXPECT_DOUBLE_EQ(roofline_pct(trial(300.0, 4.485e9, 8800.0)), base / 2);
}

TEST(Roofline, IsZeroWhenTheBandwidthOrTheWeightBytesAreUnknown) {
  EXPECT_EQ(roofline_pct(trial(428.3, 7974768896.0, 0.0)), 0.0);  // cpu backend: no device-info
  EXPECT_EQ(roofline_pct(trial(428.3, 0.0, 4352.63)), 0.0);
}

// The sweep's end table prints it per trial, and nothing where it is unknown.
TEST(Roofline, SweepTableShowsItBesideTheRatio) {
  SweepOutcome s;
  TrialResult gpu = trial(1000.0, 1.5e9, 4000.0);  // 37.5%
  gpu.spec.workload = "tg8";
  gpu.equality = "bitwise";
  TrialResult cpu = trial(1000.0, 1.5e9, 0.0);
  cpu.spec.workload = "tg8";
  cpu.spec.plan = "rmsnorm=cpu_lanes";
  cpu.equality = "bitwise";
  s.trials = {gpu, cpu};
  std::ostringstream out;
  print_sweep_table(s, out);
  const std::string text = out.str();
  EXPECT_NE(text.find("roofline"), std::string::npos) << text;
  std::istringstream lines(text);
  std::string line, ref_row, cpu_row;
  while (std::getline(lines, line)) {
    if (line.rfind("reference", 0) == 0) ref_row = line;
    if (line.rfind("rmsnorm=cpu_lanes", 0) == 0) cpu_row = line;
  }
  EXPECT_NE(ref_row.find("37.5%"), std::string::npos) << text;
  EXPECT_EQ(cpu_row.find('%', cpu_row.find("+0.0%") + 5), std::string::npos)
      << "no roofline without a measured bandwidth: " << cpu_row;
}

}  // namespace
}  // namespace swapbench
