// Order statistics, the median's binomial confidence interval, and Mann-Whitney U.
#include "harness/stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <utility>

namespace swapbench::stats {

double quantile(std::vector<double> v, double q) {
  if (v.empty()) throw std::invalid_argument("quantile of an empty sample");
  std::sort(v.begin(), v.end());
  const double h = (double(v.size()) - 1.0) * std::clamp(q, 0.0, 1.0);
  const size_t lo = size_t(std::floor(h));
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (h - double(lo)) * (v[hi] - v[lo]);
}

double median(const std::vector<double>& v) { return quantile(v, 0.5); }

MedianInterval median_interval(std::vector<double> v, double confidence) {
  if (v.empty()) throw std::invalid_argument("median interval of an empty sample");
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  // P(X = k) for X ~ Binomial(n, 1/2), in log space so large n does not underflow.
  std::vector<double> pmf(n + 1);
  for (size_t k = 0; k <= n; ++k)
    pmf[k] = std::exp(std::lgamma(double(n) + 1) - std::lgamma(double(k) + 1) -
                      std::lgamma(double(n - k) + 1) - double(n) * std::log(2.0));
  // Ranks l and n+1-l (1-based) cover the median with probability P(l <= X <= n-l).
  MedianInterval best;
  best.interval = {v.front(), v.back()};
  best.coverage = 1.0 - 2.0 * pmf[0];
  for (size_t l = 1; 2 * l <= n; ++l) {
    double cover = 0;
    for (size_t k = l; k <= n - l; ++k) cover += pmf[k];
    if (cover < confidence) break;
    best.interval = {v[l - 1], v[n - l]};
    best.coverage = cover;
    best.exact = true;
  }
  return best;
}

Summary summarize(const std::vector<double>& v, double confidence) {
  Summary s;
  s.n = v.size();
  s.median = median(v);
  s.q1 = quantile(v, 0.25);
  s.q3 = quantile(v, 0.75);
  const auto [mn, mx] = std::minmax_element(v.begin(), v.end());
  s.min = *mn;
  s.max = *mx;
  s.ci = median_interval(v, confidence);
  return s;
}

bool converged(const std::vector<double>& v, double rel, double confidence) {
  if (v.empty()) return false;
  const Summary s = summarize(v, confidence);
  return s.ci.exact && s.relative_half_width() <= rel;
}

MannWhitney mann_whitney(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.empty() || b.empty()) throw std::invalid_argument("Mann-Whitney needs two samples");
  std::vector<std::pair<double, int>> all;
  for (double x : a) all.emplace_back(x, 0);
  for (double x : b) all.emplace_back(x, 1);
  std::sort(all.begin(), all.end());
  const double n1 = double(a.size()), n2 = double(b.size()), n = n1 + n2;
  double rank_sum_a = 0, tie_term = 0;
  for (size_t i = 0; i < all.size();) {
    size_t j = i;
    while (j < all.size() && all[j].first == all[i].first) ++j;
    const double avg_rank = 0.5 * double(i + 1 + j);  // ranks i+1..j share their mean
    const double t = double(j - i);
    tie_term += t * t * t - t;
    for (size_t k = i; k < j; ++k)
      if (all[k].second == 0) rank_sum_a += avg_rank;
    i = j;
  }
  MannWhitney r;
  r.u = rank_sum_a - n1 * (n1 + 1) / 2;
  const double mean = n1 * n2 / 2;
  const double var = n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1)));
  if (var <= 0) return r;  // every value tied: no evidence of a difference
  const double diff = r.u - mean;
  const double cc = diff > 0 ? -0.5 : (diff < 0 ? 0.5 : 0.0);  // continuity correction
  r.z = (diff + cc) / std::sqrt(var);
  r.p_value = std::erfc(std::fabs(r.z) / std::sqrt(2.0));
  return r;
}

}  // namespace swapbench::stats
