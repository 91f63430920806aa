// `sweep`: the plans a planner chose x workloads x graphs modes, each trial in a child process,
// every result stored in SQLite (one transaction per trial) under one run, resumable and
// shardable across machines.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "runner/sweep_planner.h"
#include "runner/trial.h"

namespace swapbench {

struct SweepOptions {
  std::string db = "swapbench.db";
  std::string model;
  std::string backend = "cpu";
  PlannerOptions planner;
  std::vector<std::string> workloads{"tg128"};
  std::vector<bool> graphs{true};
  bool pdl = false;
  StopRule stop;
  double timeout_seconds = 300;
  size_t max_trials = 256;  // refuse a sweep with more trials than this (before sharding)
  int shard_index = 0, shard_count = 1;
  std::string resume;  // "" = new run; "latest" = newest unfinished run; or a run UUID
  std::string tag;
  int32_t taps_steps = 0;    // record per-slot taps for this many steps (diff, divergence pages)
  std::string cpus;          // TrialSpec::cpus of every trial ("": unpinned)
  std::string child_binary;  // default: this executable
  // The device recorded for the run (the gate pairs only equal devices): the GPU's name from
  // device-info, or "cpu: <model>"; $SWAPBENCH_DEVICE_NAME overrides it (hosts sharing a DB).
};

struct SweepOutcome {
  std::string run_uuid;
  std::vector<TrialResult> trials;  // every trial of the run (resumed ones included)
  size_t ran = 0, skipped_as_done = 0;
  int failures = 0;
};

// Runs the sweep, writing progress to `progress` (a bar on a terminal, lines otherwise).
SweepOutcome run_sweep(const SweepOptions& o, std::ostream& progress);

// The end-of-sweep table: per plan and workload, tok/s with its interval, change against the
// reference plan, equality verdict, graphs ratio; names the fastest plan that stays bitwise.
void print_sweep_table(const SweepOutcome& s, std::ostream& out);

// sha256 of a file, hex (through `sha256sum`); throws std::runtime_error when unavailable.
std::string file_sha256(const std::string& path);

}  // namespace swapbench
