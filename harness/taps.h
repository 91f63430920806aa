// Taps: a small summary of every slot output (per step, layer and call site), so two trials
// can be compared slot by slot and the first slot whose output differs can be named.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace swapbench::taps {

struct Stats {
  uint64_t xor_hash = 0;  // xor of every element's bits mixed with its index
  double sum = 0, sumsq = 0;
  float amax = 0;
  uint32_t nan_count = 0;
};
Stats summarize(const float* x, size_t n);

// One slot output of one step.
struct Tap {
  int32_t step = 0;
  int32_t layer = -1;  // -1 outside the layers
  std::string site;    // role in the step: "wq", "attn_norm", "output", ...
  std::string slot;    // "matvec.q4_1"
  std::string variant;
  Stats stats;
};

nlohmann::json to_json(const std::vector<Tap>& taps);
std::vector<Tap> from_json(const nlohmann::json& j);  // throws std::runtime_error on bad input

// The first tap (in execution order) whose output differs between a and b.
struct Difference {
  Tap a, b;
  size_t index = 0;   // position in execution order
  double rel_sum = 0; // |sum_a - sum_b| / max(|sum_b|, tiny)
  double rel_norm = 0;  // |sqrt(sumsq_a) - sqrt(sumsq_b)| / sqrt(sumsq_b)
  std::string describe() const;  // "step 0, layer 3, attn_norm (rmsnorm: cpu_lanes vs cpu_ref): ..."
};
// nullopt when every common tap is identical. Taps match by (step, layer, site); sites only one
// trial has (a fused slot replacing several) are skipped. Throws std::runtime_error when the
// common sites come in a different order or there are none (different models or steps).
std::optional<Difference> first_difference(const std::vector<Tap>& a, const std::vector<Tap>& b);

}  // namespace swapbench::taps
