// `bench`: plans x workloads x graphs modes, each trial in its own child process
// (`swapbench trial --spec -`) with a timeout, then equality against the reference plan's trial
// and the graphs-on/off ratios.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "runner/trial.h"

namespace swapbench {

struct BenchOptions {
  std::string model;
  std::string backend = "cpu";
  std::vector<std::string> plans{""};  // the reference plan is always run, first
  std::vector<std::string> workloads{"tg128"};
  std::vector<bool> graphs{true};
  bool pdl = false;
  StopRule stop;
  bool profile = true;
  int32_t taps_steps = 0;
  double timeout_seconds = 300;
  double peak_gbps = 0;
  std::string cpus;  // TrialSpec::cpus of every trial ("": unpinned)
  // Processes per (plan, workload, graphs mode), run in rounds over all of them: eager (graphs
  // off) speed varies from one trial process to the next (docs/results.md), so one process per
  // configuration can mislead a ratio check.
  int32_t repeat = 1;
  std::string child_binary;  // default: this executable
  std::string work_dir;      // where trials write their logits (a temp dir by default)
};

// tok/s over a configuration's ok processes: how many, their median and extremes (all 0 for none).
struct SpeedRange {
  int32_t n = 0;
  double median = 0, min = 0, max = 0;
  static SpeedRange of(const std::vector<double>& tps);
};

// Per (plan, workload): tok/s with graphs on and off, the median over the bench's processes of
// each mode (one each without --repeat), and their ranges.
struct GraphsRatio {
  std::string plan, workload;
  double on = 0, off = 0;
  double on_min = 0, on_max = 0, off_min = 0, off_max = 0;
  int32_t n_on = 0, n_off = 0;  // ok trials behind each median
  double ratio() const { return off > 0 ? on / off : 0; }
  // The ratio's range over the processes: slowest on over fastest off to fastest on over slowest.
  double ratio_min() const { return off_max > 0 ? on_min / off_max : 0; }
  double ratio_max() const { return off_min > 0 ? on_max / off_min : 0; }
};

// Per (plan, workload, graphs mode) with --repeat: the median and range of tok/s over its ok
// processes.
struct RepeatSpread {
  std::string plan, workload;
  bool graphs = true;
  int32_t n = 0;
  double median = 0, min = 0, max = 0;
};

struct BenchReport {
  std::vector<TrialResult> trials;  // in run order: round after round
  std::vector<GraphsRatio> ratios;
  std::vector<RepeatSpread> spreads;  // only with repeat > 1
};

// This executable's path: the program child processes run by default.
std::string self_binary();

// `device-info --json` run in a child process, so the caller never holds a CUDA context (it
// would show up as "another process on the GPU" in every trial's health). An empty object when
// the child fails or prints something else than a JSON object.
nlohmann::json device_info_in_child(const std::string& binary);

// Runs every trial; `on_trial` sees each result as it completes (for progress output).
BenchReport run_bench(const BenchOptions& o,
                      const std::function<void(const TrialResult&)>& on_trial = {});

// Runs one spec in a child process and turns a crash, signal or timeout into a result.
TrialResult run_trial_in_child(const TrialSpec& spec, const std::string& binary);

// Sets r.equality against the reference plan's trial of the same workload and graphs mode
// (`ref`, may be null or not ok: then nothing is judged), and turns a broken bitwise
// declaration into status `mismatch`. A reference-plan trial is bitwise to itself.
void judge_equality(TrialResult& r, const TrialResult* ref, size_t vocab);

// A later process of a configuration (r.repeat > 0) must decode the same logits bytes as its
// first: status `mismatch` naming the first differing step otherwise.
void judge_repeat(TrialResult& r, const TrialResult& first);

// Checks a trial's declared equality: a plan whose non-reference variants all declare bitwise
// must measure bitwise. Returns the error text, empty when the declaration holds.
std::string declared_equality_error(const TrialResult& r, const std::string& verdict);

}  // namespace swapbench
