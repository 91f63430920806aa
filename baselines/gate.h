// The regression gate as a pure function: candidate trials against baseline trials under
// versioned thresholds -> findings, a verdict and its exit code. No SQLite, no CLI: the caller
// loads the trials and prints the result.
//
// Rules (DESIGN.md, "Measurement rules"):
//  - trials pair by model sha256, plan, workload, graphs mode, GPU name and driver;
//  - a pair regresses only when the candidate's median tok/s drops beyond the workload's
//    threshold AND the step times differ significantly (Mann-Whitney U, p < p_value);
//  - graphs-on over graphs-off tok/s of the candidate's own trials must reach its minimum;
//  - the equality verdict must meet the declared class; a status other than ok fails;
//  - timing failures on an unhealthy host (either side) are warnings, with the evidence;
//  - a gate that paired nothing is an error; one that could not pair because the GPU model or
//    driver differs is "not comparable".
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "baselines/thresholds.h"

namespace swapbench::gate {

// What the gate needs of one stored trial.
struct Trial {
  std::string model_sha256, plan, workload, gpu_name, driver;
  bool graphs = true;
  std::string status = "ok";         // ok | mismatch | crashed | timeout | skipped | error
  std::string error;                 // one line, when status is not ok
  std::string equality;              // ladder verdict: bitwise, ulp<=N, nmse<=x, top1, greedy,
                                     // diverged@k ("" = not judged)
  std::string declared = "bitwise";  // strictest class the plan's variants declare:
                                     // bitwise | reassociates
  std::vector<double> samples_ms;    // per-step times
  double tokens_per_second = 0;      // 0: taken as 1000 / median(samples_ms)
  bool healthy = true;
  std::vector<std::string> evidence;
  std::string label() const;  // "plan | workload | graphs on" ("reference" for the empty plan)
};

enum class Verdict { pass, regression, error, not_comparable };
int exit_code(Verdict v);          // 0 1 2 3
std::string to_string(Verdict v);  // "pass", "regression", "error", "not comparable"

// One pair (or one candidate trial) and what the gate saw there.
struct Finding {
  std::string label;
  std::string kind;  // "speed" | "graphs_ratio" | "equality" | "status" | "unpaired"
  bool failed = false;
  bool warning_only = false;  // failed, but on an unhealthy host: does not fail the gate
  bool error = false;         // the gate could not judge (unusable samples, unknown verdict)
  bool note = false;          // passed, but worth a look (e.g. a large drop, not significant)
  // speed: the pair's tok/s; graphs_ratio: baseline_tps is graphs off, candidate_tps graphs on
  double baseline_tps = 0, candidate_tps = 0;
  double change = 0;  // fraction: candidate / baseline - 1
  double ratio = 0;   // graphs_ratio: graphs-on tok/s over graphs-off tok/s
  double p_value = 1;
  double threshold = 0;               // speed: the allowed drop; graphs_ratio: the minimum ratio
  std::string detail;                 // one line: why
  std::vector<std::string> evidence;  // host-health evidence behind a warning
  nlohmann::json to_json() const;
};

struct Result {
  Verdict verdict = Verdict::error;
  std::vector<Finding> findings;
  size_t paired = 0;    // baseline/candidate pairs matched by key
  std::string summary;  // one line
  nlohmann::json to_json() const;
  // A PR-comment summary: headline verdict, a table of pairs (label, baseline tok/s, candidate
  // tok/s, change, p, verdict), graphs ratios, then failures, warnings and notes with reasons.
  std::string markdown() const;
};

Result evaluate(const std::vector<Trial>& baseline, const std::vector<Trial>& candidate,
                const Thresholds& t);

}  // namespace swapbench::gate
