// Statistics over timing samples: medians, quantiles, a distribution-free confidence interval
// of the median, the stopping rule, and the Mann-Whitney U test used by the gate.
#pragma once

#include <cstddef>
#include <vector>

namespace swapbench::stats {

// Quantile q in [0, 1] with linear interpolation between order statistics (R's type 7).
// Throws std::invalid_argument on an empty sample.
double quantile(std::vector<double> v, double q);
double median(const std::vector<double>& v);

struct Interval {
  double lo = 0, hi = 0;
  double half_width() const { return 0.5 * (hi - lo); }
};

// Confidence interval of the median from order statistics: the widest symmetric pair of ranks
// (l, n+1-l) whose binomial(n, 1/2) coverage is at least `confidence`. Exact, no normality
// assumed. With too few samples for the confidence asked, the interval is the sample range and
// `exact` is false.
struct MedianInterval {
  Interval interval;
  double coverage = 0;  // the coverage actually achieved
  bool exact = false;
};
MedianInterval median_interval(std::vector<double> v, double confidence = 0.99);

// Summary of one trial's samples.
struct Summary {
  size_t n = 0;
  double median = 0, q1 = 0, q3 = 0, min = 0, max = 0;
  MedianInterval ci;
  double iqr() const { return q3 - q1; }
  double relative_half_width() const { return median != 0 ? ci.interval.half_width() / median : 0; }
};
Summary summarize(const std::vector<double>& v, double confidence = 0.99);

// The stopping rule: the median's interval half-width is at most `rel` of the median (and
// the interval is exact).
bool converged(const std::vector<double>& v, double rel = 0.005, double confidence = 0.99);

// Two-sided Mann-Whitney U test of "a and b come from the same distribution", normal
// approximation with tie correction (fine for the >= 8 samples a trial keeps).
struct MannWhitney {
  double u = 0;        // U of sample a
  double z = 0;
  double p_value = 1;  // two-sided
};
MannWhitney mann_whitney(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace swapbench::stats
