// bench --repeat: a later process of a configuration must decode the first one's bytes, and the
// graphs on/off ratio's range over processes (runner/bench.h).
#include <gtest/gtest.h>

#include "runner/bench.h"

namespace swapbench {
namespace {

TrialResult ok_trial(std::vector<std::string> fingerprints, int32_t repeat) {
  TrialResult r;
  r.status = "ok";
  r.fingerprints = std::move(fingerprints);
  r.repeat = repeat;
  return r;
}

TEST(BenchRepeat, ALaterProcessWithOtherBytesIsAMismatchNamingTheStep) {
  const TrialResult first = ok_trial({"aa", "bb", "cc"}, 0);
  TrialResult same = ok_trial({"aa", "bb", "cc"}, 1);
  judge_repeat(same, first);
  EXPECT_EQ(same.status, "ok");
  EXPECT_TRUE(same.error.empty());

  TrialResult other = ok_trial({"aa", "bx", "cx"}, 2);
  judge_repeat(other, first);
  EXPECT_EQ(other.status, "mismatch");
  EXPECT_EQ(other.error,
            "repeat 2 decoded other logits than repeat 0 at step 1 (fingerprint bx vs bb)");
}

TEST(BenchRepeat, NothingIsJudgedAgainstAFailedFirstOrForAFailedLater) {
  TrialResult first = ok_trial({"aa"}, 0);
  first.status = "crashed";
  TrialResult later = ok_trial({"zz"}, 1);
  judge_repeat(later, first);
  EXPECT_EQ(later.status, "ok");

  TrialResult timed_out = ok_trial({"zz"}, 1);
  timed_out.status = "timeout";
  judge_repeat(timed_out, ok_trial({"aa"}, 0));
  EXPECT_EQ(timed_out.status, "timeout");
  EXPECT_TRUE(timed_out.error.empty());
}

TEST(BenchRepeat, RatioRangeGoesFromSlowestOnOverFastestOffToTheReverse) {
  GraphsRatio g;
  g.on = 2265;
  g.off = 1900;
  g.on_min = 2260;
  g.on_max = 2270;
  g.off_min = 1420;
  g.off_max = 2060;
  EXPECT_DOUBLE_EQ(g.ratio(), 2265.0 / 1900.0);
  EXPECT_DOUBLE_EQ(g.ratio_min(), 2260.0 / 2060.0);
  EXPECT_DOUBLE_EQ(g.ratio_max(), 2270.0 / 1420.0);
  const GraphsRatio none;
  EXPECT_EQ(none.ratio(), 0);
  EXPECT_EQ(none.ratio_min(), 0);
  EXPECT_EQ(none.ratio_max(), 0);
}

}  // namespace
}  // namespace swapbench
