// Timing statistics on crafted samples: quantiles, the median's exact binomial interval, the
// stopping rule, and Mann-Whitney U against values computed by hand / by scipy.
#include <gtest/gtest.h>

#include "harness/stats.h"

namespace swapbench::stats {
namespace {

TEST(Stats, QuantilesInterpolateBetweenOrderStatistics) {
  const std::vector<double> v{4, 1, 3, 2};
  EXPECT_DOUBLE_EQ(median(v), 2.5);
  EXPECT_DOUBLE_EQ(quantile(v, 0.25), 1.75);
  EXPECT_DOUBLE_EQ(quantile(v, 0.75), 3.25);
  EXPECT_DOUBLE_EQ(quantile(v, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(quantile(v, 1.0), 4.0);
  EXPECT_THROW(median({}), std::invalid_argument);
}

TEST(Stats, MedianIntervalUsesBinomialRanks) {
  // n = 20, 99%: ranks 4 and 17 cover with P(4 <= X <= 16) = 0.9974; ranks 5 and 16 only 0.988.
  std::vector<double> v;
  for (int i = 1; i <= 20; ++i) v.push_back(i);
  const MedianInterval m = median_interval(v, 0.99);
  EXPECT_TRUE(m.exact);
  EXPECT_DOUBLE_EQ(m.interval.lo, 4.0);
  EXPECT_DOUBLE_EQ(m.interval.hi, 17.0);
  EXPECT_NEAR(m.coverage, 0.99742, 1e-4);
}

TEST(Stats, TooFewSamplesGiveTheRangeAndAreNotExact) {
  // With 6 samples the widest pair (ranks 1 and 6) covers only 1 - 2/64 = 96.9% < 99%.
  const MedianInterval m = median_interval({5, 1, 4, 2, 6, 3}, 0.99);
  EXPECT_FALSE(m.exact);
  EXPECT_DOUBLE_EQ(m.interval.lo, 1.0);
  EXPECT_DOUBLE_EQ(m.interval.hi, 6.0);
}

TEST(Stats, StoppingRuleNeedsATightExactInterval) {
  std::vector<double> tight, loose;
  for (int i = 0; i < 60; ++i) {
    tight.push_back(1000.0 + (i % 7) * 0.5);  // spread 3 around 1000: half-width << 0.5%
    loose.push_back(1000.0 + (i % 7) * 40.0);
  }
  EXPECT_TRUE(converged(tight, 0.005));
  EXPECT_FALSE(converged(loose, 0.005));
  EXPECT_FALSE(converged({1000, 1000, 1000}, 0.005)) << "3 samples cannot give a 99% interval";
  const Summary s = summarize(tight);
  EXPECT_EQ(s.n, 60u);
  EXPECT_LE(s.relative_half_width(), 0.005);
  EXPECT_GE(s.q3, s.q1);
}

TEST(Stats, MannWhitneySeparatesShiftedSamplesAndNotEqualOnes) {
  std::vector<double> a, b, c;
  for (int i = 0; i < 30; ++i) {
    a.push_back(100 + i % 10);
    b.push_back(110 + i % 10);  // shifted by the whole range
    c.push_back(100 + (i + 5) % 10);
  }
  const MannWhitney shifted = mann_whitney(a, b);
  EXPECT_DOUBLE_EQ(shifted.u, 0.0);  // every a is below every b
  // scipy.stats.mannwhitneyu(a, b, method='asymptotic').pvalue = 2.8718e-11
  EXPECT_NEAR(shifted.p_value / 2.8718e-11, 1.0, 1e-3);
  const MannWhitney same = mann_whitney(a, c);
  EXPECT_GT(same.p_value, 0.5);
}

TEST(Stats, MannWhitneyMatchesScipyOnASmallSample) {
  // scipy.stats.mannwhitneyu([1,2,3,4,5], [3,4,5,6,7,8], alternative='two-sided',
  //                          method='asymptotic') -> U = 4.5, p = 0.066015 (ties at 3, 4, 5;
  // continuity-corrected, as scipy does by default)
  const MannWhitney r = mann_whitney({1, 2, 3, 4, 5}, {3, 4, 5, 6, 7, 8});
  EXPECT_DOUBLE_EQ(r.u, 4.5);
  EXPECT_NEAR(r.p_value, 0.066015, 1e-5);
}

TEST(Stats, AllTiedSamplesShowNoDifference) {
  const MannWhitney r = mann_whitney({5, 5, 5}, {5, 5, 5, 5});
  EXPECT_DOUBLE_EQ(r.p_value, 1.0);
}

}  // namespace
}  // namespace swapbench::stats
