// A trial: one (model, plan, workload, backend, graphs mode) measured. The spec says what to
// run, the result carries every sample and everything needed to trust or distrust it. Both are
// JSON (docs/trial-json.md); `swapbench trial --spec FILE|-` runs one in this process and
// `swapbench bench` runs each in a child process.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/equality.h"
#include "harness/health.h"
#include "harness/stats.h"
#include "harness/taps.h"
#include "runner/engine/engine.h"

namespace swapbench {

struct StopRule {
  double rel_half_width = 0.005;  // stop when the median's CI half-width <= this x median
  double confidence = 0.99;
  double max_seconds = 20.0;  // ... or when this much timing has been spent
  int32_t min_reps = 3;
  int32_t max_reps = 10000;
};

struct TrialSpec {
  std::string model;
  std::string plan;  // plan text; "" = reference
  std::string workload = "tg128";
  std::string backend = "cpu";  // cpu | cuda
  bool graphs = true;
  bool pdl = false;
  uint64_t seed = 1;  // picks the first token fed
  StopRule stop;
  bool profile = true;           // per-slot attribution pass
  int32_t taps_steps = 0;        // record taps for this many steps (0: none)
  std::string logits_out;        // write every timed step's logits here (raw f32) when set
  double timeout_seconds = 300;  // for the parent: kill the child after this
  double peak_gbps = 0;          // measured stream-read bandwidth, for % of peak (0: unknown)
  std::string cpus;              // pin the trial to these CPUs ("2", "0-3,8"; "": as inherited)
  // Roles of the step's calls run hollow (`ablate`, LlamaStep::set_hollow): a timing-only trial.
  // Its tokens mean nothing, so it records no fingerprints, runs no equality pass and no profile.
  std::vector<std::string> hollow;
};

struct SlotShare {
  std::string slot, variant;
  int32_t calls = 0;       // per step
  double ms = 0;           // per step, summed over layers
  double share = 0;        // of the profiled step
  double bytes = 0;        // per step
  double gbps = 0;         // bytes / time
  double pct_of_peak = 0;  // of the measured stream-read bandwidth, when known
};

struct TrialResult {
  TrialSpec spec;
  std::string status = "ok";  // ok | mismatch | crashed | timeout | skipped | error
  std::string error;
  std::string device;              // "NVIDIA H200 (sm_90) driver ..." or "cpu"
  std::vector<double> samples_ms;  // every timed step, every repetition
  int32_t reps = 0;
  std::string stop_reason;                // converged | time_cap | max_reps
  stats::Summary summary;                 // of samples_ms
  double tokens_per_second = 0;           // 1000 / median step time
  std::vector<int32_t> tokens;            // the workload's tokens (first repetition)
  std::vector<std::string> fingerprints;  // per timed step, hex of the logits bytes
  std::vector<SlotShare> slots;
  HealthReport health;
  std::map<std::string, std::string> variants;
  std::vector<std::string> fallbacks;
  std::vector<std::string> unused_plan_entries;  // Bindings::unused(): they changed nothing
  double weight_bytes_per_token = 0;
  std::vector<taps::Tap> taps;
  std::string equality;  // verdict against the reference trial (set by the parent)
  // The CPUs the timing loop's thread ran on, read after every repetition: eager decode's speed
  // depends on the core (harness/cpu_affinity.h).
  std::vector<int32_t> cpus_seen;
  int32_t repeat = 0;  // bench --repeat: which process of its configuration (set by the parent)
};

// The share of the weight-bandwidth roofline a trial reached: weight bytes read per second
// (tok/s x weight bytes per token) over the measured stream-read bandwidth (spec.peak_gbps), in
// percent; 0 when either is unknown. Every workload decodes one token per step, prefill
// included (workload.h), so each token reads the weights once.
double roofline_pct(double tokens_per_second, double weight_bytes_per_token, double peak_gbps);
double roofline_pct(const TrialResult& r);

nlohmann::json to_json(const TrialSpec& s);
TrialSpec spec_from_json(const nlohmann::json& j);  // throws std::runtime_error naming the field
nlohmann::json to_json(const TrialResult& r);
TrialResult result_from_json(const nlohmann::json& j);

// Runs the trial in this process. Errors in setup (bad plan, missing model) come back as
// status "error" with the message; CUDA faults may kill the process (hence child processes).
TrialResult run_trial(const TrialSpec& spec);

// Reads logits written by a trial (logits_out): steps x vocab floats.
std::vector<std::vector<float>> read_logits(const std::string& path, size_t vocab);

// A trial's steps for the equality ladder: its tokens, with the logits it wrote when present.
std::vector<equality::Step> equality_steps(const TrialResult& r, size_t vocab);

}  // namespace swapbench
