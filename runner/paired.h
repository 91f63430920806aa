// Paired gate for pull requests: the baseline build and this build run the same trials
// alternately (A B A B ...) on the same machine, and the gate judges the pooled samples. Slow
// drifts of the host (clocks, temperature, neighbours) then hit both sides alike.
#pragma once

#include <string>
#include <vector>

#include "baselines/gate.h"
#include "runner/trial.h"

namespace swapbench {

struct PairedOptions {
  std::string base_binary;  // a swapbench built from the base commit (understands `trial`)
  std::string head_binary;  // default: this executable
  std::string model;
  std::string backend = "cpu";
  std::vector<std::string> plans{""};
  std::vector<std::string> workloads{"tg128"};
  std::vector<bool> graphs{true};
  int rounds = 5;            // A B pairs per trial
  double max_seconds = 2.0;  // timing cap of each child trial
  double timeout_seconds = 300;
  std::string gpu_name = "cpu", driver = "-";
};

struct PairedOutcome {
  std::vector<gate::Trial> base, head;
  std::vector<std::string> equality;  // per trial: head's logits against base's, for the record
};

PairedOutcome run_paired(const PairedOptions& o);

}  // namespace swapbench
