// Gate thresholds: how far a median may drop, how significant a drop must be, and the least
// CUDA-graphs speed-up, read from a versioned JSON file kept in the user's repository
// (example: ci/thresholds.example.json).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace swapbench::gate {

// The file format, every key optional (a missing key keeps its default, an unknown key is an
// error so that a typo never silently loosens the gate):
//   {"version": 1, "decode_drop": 0.03, "prefill_drop": 0.05, "p_value": 0.002,
//    "min_graphs_ratio": 1.3, "per_workload_drop": {"tg128@ctx4096": 0.05},
//    "graphs_off_drop": 0.35}
struct Thresholds {
  static constexpr int kVersion = 1;  // the newest format this build reads

  int version = kVersion;
  double decode_drop = 0.03;      // tg* workloads: fractional drop in median tok/s
  double prefill_drop = 0.05;     // pp* workloads
  double p_value = 0.002;         // Mann-Whitney significance (two-sided)
  double min_graphs_ratio = 1.3;  // graphs-on tok/s over graphs-off tok/s; 0 turns it off
  std::map<std::string, double> per_workload_drop;  // exact workload text -> drop
  // Graphs-off trials may drop at least this much (0: as with graphs on). Eager decode is bound
  // by the host's launch rate, which on a shared VM moved smollm2 graphs off 1573-2059 tok/s
  // between processes of one bench run (docs/results.md, 2026-12-02): a decode_drop of 3% would
  // fail such a host on noise.
  double graphs_off_drop = 0;

  // Throws std::runtime_error with one line naming the file and the field on bad input.
  static Thresholds load(const std::string& path);
  // As load, without a file name in the message.
  static Thresholds parse(const nlohmann::json& j);
  nlohmann::json to_json() const;

  // The allowed fractional drop for a workload: its override, else prefill_drop for pp*,
  // else decode_drop (tg* and any other form: the stricter default); with graphs off, at least
  // graphs_off_drop.
  double drop_for(const std::string& workload, bool graphs = true) const;

  bool operator==(const Thresholds&) const = default;
};

}  // namespace swapbench::gate
