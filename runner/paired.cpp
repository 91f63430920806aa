// Alternating base/head trials and pooling their samples for the gate.
#include "runner/paired.h"

#include <unistd.h>

#include <filesystem>

#include "harness/equality.h"
#include "harness/stats.h"
#include "runner/bench.h"
#include "runner/model/llama_model.h"
#include "runner/sweep.h"

namespace swapbench {
namespace {

gate::Trial pooled(const std::vector<TrialResult>& rs, const PairedOptions& o,
                   const std::string& sha) {
  gate::Trial t;
  const TrialSpec& s = rs.front().spec;
  t.model_sha256 = sha;
  t.plan = s.plan;
  t.workload = s.workload;
  t.graphs = s.graphs;
  t.gpu_name = o.gpu_name;
  t.driver = o.driver;
  for (const TrialResult& r : rs) {
    if (r.status != "ok" && t.status == "ok") {
      t.status = r.status;
      t.error = r.error;
    }
    t.samples_ms.insert(t.samples_ms.end(), r.samples_ms.begin(), r.samples_ms.end());
    t.healthy = t.healthy && (!r.health.sampled || r.health.healthy);
    t.evidence.insert(t.evidence.end(), r.health.evidence.begin(), r.health.evidence.end());
  }
  if (!t.samples_ms.empty()) t.tokens_per_second = 1000.0 / stats::median(t.samples_ms);
  return t;
}

}  // namespace

PairedOutcome run_paired(const PairedOptions& o) {
  const std::string head = o.head_binary.empty() ? self_binary() : o.head_binary;
  const std::string sha = file_sha256(o.model);
  const size_t vocab = size_t(LlamaModel::load(o.model)->config().vocab);
  const auto dir = std::filesystem::temp_directory_path() /
                   ("swapbench-paired-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  PairedOutcome out;
  for (const std::string& plan : o.plans)
    for (const std::string& wl : o.workloads)
      for (bool g : o.graphs) {
        std::vector<TrialResult> a, b;
        for (int round = 0; round < o.rounds; ++round) {
          for (int side = 0; side < 2; ++side) {
            TrialSpec s;
            s.model = o.model;
            s.plan = plan;
            s.workload = wl;
            s.backend = o.backend;
            s.graphs = g;
            s.profile = false;
            s.stop.max_seconds = o.max_seconds;
            s.timeout_seconds = o.timeout_seconds;
            s.logits_out = (dir / (side ? "head.f32" : "base.f32")).string();
            (side ? b : a).push_back(run_trial_in_child(s, side ? head : o.base_binary));
          }
        }
        out.base.push_back(pooled(a, o, sha));
        out.head.push_back(pooled(b, o, sha));
        const bool both_ok = a.back().status == "ok" && b.back().status == "ok";
        out.equality.push_back(
            both_ok ? equality::classify(equality_steps(b.back(), vocab), equality_steps(a.back(), vocab)).text() : "");
      }
  std::filesystem::remove_all(dir);
  return out;
}

}  // namespace swapbench
