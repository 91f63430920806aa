// What the report pages show, read once from the results database (through baselines/ only):
// runs newest first with their trials, gate decisions and baseline promotions. Pages are pure
// functions of this model, so every number on a page comes from one place.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "baselines/store.h"

namespace swapbench::report {

// One slot's share of a profiled step (result_json "slots").
struct SlotTime {
  std::string slot, variant;
  double calls = 0, ms = 0, share = 0, bytes = 0, gbps = 0, pct_of_peak = 0;
};

// One stored trial with the fields the pages use, read from its result_json.
struct Trial {
  int64_t id = 0;
  std::string key, plan, workload, status, error, equality, model_sha256, stop_reason;
  std::string model;  // the model's description (e.g. "tiny"), else its sha256 prefix
  bool graphs = true;
  double tps = 0;                 // the tokens_per_second column
  double roofline = 0;  // % of the weight-bandwidth roofline (runner/trial.h), 0: unknown
  double tps_lo = 0, tps_hi = 0;  // 1000 / ci_hi_ms, 1000 / ci_lo_ms (0 when no summary)
  double median_ms = 0, ci_lo_ms = 0, ci_hi_ms = 0;
  int64_t n_samples = 0, reps = 0;
  bool health_sampled = false, healthy = true;
  std::vector<std::string> evidence;
  std::string cpus;  // the CPUs its timing loop ran on ("0-3,8"; "" when the run predates it)
  std::vector<SlotTime> slots;
  std::map<std::string, std::string> variants;  // slot -> variant actually used
  std::vector<std::string> fingerprints;
  nlohmann::json taps;  // array, empty when none were recorded
  bool has_summary() const { return median_ms > 0; }
  bool is_reference() const { return plan.empty(); }
  std::string plan_label() const { return plan.empty() ? "reference" : plan; }
  std::string mode() const { return graphs ? "on" : "off"; }  // graphs mode
};

// One run with its trials (insert order) and the gate decisions taken on it.
struct Run {
  store::RunInfo info;
  std::vector<Trial> trials;
  std::vector<store::GateDecision> gates;  // oldest first
  std::string model_description;           // of its first trial's model, "" when unknown
  size_t failures() const;                 // trials whose status is not ok
  std::string short_id() const { return info.uuid.substr(0, 8); }
  // The reference-plan trial of the same workload and graphs mode, or nullptr.
  const Trial* reference_for(const Trial& t) const;
  // The same plan and workload in the other graphs mode, or nullptr.
  const Trial* other_mode(const Trial& t) const;
  // The fastest ok trial whose equality is bitwise (the reference plan counts), or nullptr.
  const Trial* fastest_bitwise() const;
};

struct Site {
  std::string db_path;
  std::vector<Run> runs;                                                    // newest first
  std::map<std::string, std::vector<store::BaselinePromotion>> promotions;  // oldest first
  std::vector<store::GateDecision> gates;                                   // oldest first
  const Run* run(const std::string& uuid) const;
};

// Reads everything the site shows. Throws store::Error on an unreadable database.
Site load_site(const store::Store& db);

}  // namespace swapbench::report
