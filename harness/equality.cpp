// Fingerprints, distances and the equality ladder.
#include "harness/equality.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <iomanip>
#include <sstream>

namespace swapbench::equality {

uint64_t fingerprint(const float* x, size_t n) {
  uint64_t h = 1469598103934665603ull;
  const auto* p = reinterpret_cast<const unsigned char*>(x);
  for (size_t i = 0; i < n * sizeof(float); ++i) {
    h ^= p[i];
    h *= 1099511628211ull;
  }
  return h;
}

uint64_t ulp_distance(float a, float b) {
  if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<uint64_t>::max();
  // Map the float bit patterns onto a monotonic integer line (negative floats reversed).
  auto key = [](float f) {
    int32_t i;
    std::memcpy(&i, &f, sizeof i);
    return i < 0 ? int64_t(std::numeric_limits<int32_t>::min()) - int64_t(i) : int64_t(i);
  };
  const int64_t d = key(a) - key(b);
  return uint64_t(d < 0 ? -d : d);
}

double nmse(const std::vector<float>& a, const std::vector<float>& ref) {
  double num = 0, den = 0;
  const size_t n = std::min(a.size(), ref.size());
  for (size_t i = 0; i < n; ++i) {
    const double d = double(a[i]) - ref[i];
    num += d * d;
    den += double(ref[i]) * ref[i];
  }
  if (den == 0) return num == 0 ? 0 : std::numeric_limits<double>::infinity();
  return num / den;
}

std::string Verdict::text() const {
  std::ostringstream o;
  switch (cls) {
    case Class::bitwise: return "bitwise";
    case Class::ulp: o << "ulp<=" << ulp; break;
    case Class::nmse: o << "nmse<=" << std::setprecision(2) << nmse; break;
    case Class::top1: return "top1";
    case Class::greedy: return "greedy";
    case Class::diverged: o << "diverged@" << first_step; break;
  }
  return o.str();
}

Verdict classify(const std::vector<Step>& trial, const std::vector<Step>& ref,
                 const Thresholds& t) {
  Verdict v;
  const size_t n = std::min(trial.size(), ref.size());
  bool all_logits = true, identical = true;
  for (size_t k = 0; k < n; ++k) {
    if (trial[k].token != ref[k].token) {
      v.cls = Class::diverged;
      v.first_step = int32_t(k);
      return v;
    }
    const auto& a = trial[k].logits;
    const auto& b = ref[k].logits;
    if (a.empty() || b.empty() || a.size() != b.size()) {
      all_logits = false;
      continue;
    }
    if (std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) != 0) identical = false;
    for (size_t i = 0; i < a.size(); ++i) v.ulp = std::max(v.ulp, ulp_distance(a[i], b[i]));
    v.nmse = std::max(v.nmse, nmse(a, b));
  }
  if (!all_logits) {
    v.cls = Class::greedy;
  } else if (identical) {
    v.cls = Class::bitwise;
  } else if (v.ulp <= t.max_ulp) {
    v.cls = Class::ulp;
  } else if (v.nmse <= t.max_nmse) {
    v.cls = Class::nmse;
  } else {
    v.cls = Class::top1;
  }
  return v;
}

}  // namespace swapbench::equality
