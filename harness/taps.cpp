// Tap summaries and locating the first differing slot output.
#include "harness/taps.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <sstream>
#include <stdexcept>
#include <tuple>

namespace swapbench::taps {

Stats summarize(const float* x, size_t n) {
  Stats s;
  for (size_t i = 0; i < n; ++i) {
    uint32_t bits;
    std::memcpy(&bits, &x[i], sizeof bits);
    // Mixing in the index makes a permutation of the same values visible.
    uint64_t h = (uint64_t(bits) << 32 | uint32_t(i)) * 0x9E3779B97F4A7C15ull;
    s.xor_hash ^= h ^ (h >> 29);
    if (std::isnan(x[i])) {
      ++s.nan_count;
      continue;
    }
    s.sum += x[i];
    s.sumsq += double(x[i]) * x[i];
    s.amax = std::max(s.amax, std::fabs(x[i]));
  }
  return s;
}

nlohmann::json to_json(const std::vector<Tap>& taps) {
  nlohmann::json j = nlohmann::json::array();
  for (const Tap& t : taps)
    j.push_back({t.step, t.layer, t.site, t.slot, t.variant, std::to_string(t.stats.xor_hash),
                 t.stats.sum, t.stats.sumsq, t.stats.amax, t.stats.nan_count});
  return j;
}

std::vector<Tap> from_json(const nlohmann::json& j) {
  std::vector<Tap> out;
  try {
    for (const auto& e : j) {
      Tap t;
      t.step = e.at(0).get<int32_t>();
      t.layer = e.at(1).get<int32_t>();
      t.site = e.at(2).get<std::string>();
      t.slot = e.at(3).get<std::string>();
      t.variant = e.at(4).get<std::string>();
      t.stats.xor_hash = std::stoull(e.at(5).get<std::string>());
      t.stats.sum = e.at(6).get<double>();
      t.stats.sumsq = e.at(7).get<double>();
      t.stats.amax = e.at(8).get<float>();
      t.stats.nan_count = e.at(9).get<uint32_t>();
      out.push_back(std::move(t));
    }
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("malformed taps: ") + e.what());
  }
  return out;
}

std::string Difference::describe() const {
  std::ostringstream o;
  o << "step " << a.step << ", " << (a.layer >= 0 ? "layer " + std::to_string(a.layer) : "head")
    << ", " << a.site << " (" << a.slot << ": " << a.variant << " vs " << b.variant
    << "): sum " << a.stats.sum << " vs " << b.stats.sum << " (rel " << rel_sum << "), norm rel "
    << rel_norm << ", max|x| " << a.stats.amax << " vs " << b.stats.amax << ", NaN "
    << a.stats.nan_count << " vs " << b.stats.nan_count;
  return o.str();
}

std::optional<Difference> first_difference(const std::vector<Tap>& a, const std::vector<Tap>& b) {
  // Taps are matched by (step, layer, site). A call site that only one trial has (a fused slot
  // such as attn_in replaces the five sites it stands for) is skipped; the sites both trials
  // have must come in the same order.
  using Key = std::tuple<int32_t, int32_t, std::string>;
  const auto key = [](const Tap& t) { return Key{t.step, t.layer, t.site}; };
  std::map<Key, size_t> in_b;
  for (size_t j = 0; j < b.size(); ++j) in_b.emplace(key(b[j]), j);
  size_t common = 0, last_j = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto it = in_b.find(key(a[i]));
    if (it == in_b.end()) continue;
    const size_t j = it->second;
    if (common > 0 && j <= last_j)
      throw std::runtime_error("taps do not line up at entry " + std::to_string(i) +
                               ": the trials ran different steps or models");
    ++common;
    last_j = j;
    if (a[i].stats.xor_hash == b[j].stats.xor_hash) continue;
    Difference d{a[i], b[j], i};
    d.rel_sum = std::fabs(a[i].stats.sum - b[j].stats.sum) / std::max(std::fabs(b[j].stats.sum), 1e-30);
    const double na = std::sqrt(a[i].stats.sumsq), nb = std::sqrt(b[j].stats.sumsq);
    d.rel_norm = std::fabs(na - nb) / std::max(nb, 1e-30);
    return d;
  }
  if (common == 0 && !a.empty() && !b.empty())
    throw std::runtime_error("taps have no call site in common: the trials ran different models");
  return std::nullopt;
}

}  // namespace swapbench::taps
