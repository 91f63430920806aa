// roofline_pct (runner/trial.h): the figure issue targets are stated in, weight bytes per second
// over the measured stream-read bandwidth; 0 when either is unknown, never a made-up share.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace swapbench
