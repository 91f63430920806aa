// `ablate`: what each role of a decode step costs the step, measured the way the step runs
// (graphs, PDL), where per-launch events cannot tell: events between launches serialise the very
// overlap being measured. The plan runs whole, then once per role of its step ("attn",
// "ffn_down", ...) with that role's calls hollow (LlamaStep::set_hollow: an empty kernel of the
// same grid in place of each, so the step keeps its kernel boundaries), then with every role
// hollow: the step's boundaries alone. A role's marginal cost is the whole step's time minus the
// time without its work; beside it, the time its declared bytes need at the measured stream-read
// bandwidth, so a latency-bound role (cost far above that floor) stands out from a bandwidth-bound
// one. Each trial runs in its own child process, as bench's do.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "runner/trial.h"

namespace swapbench {

struct AblateOptions {
  // What every trial runs: model, plan, workload, backend, graphs, pdl, stop rule, timeout, cpus,
  // and peak_gbps, the stream-read bandwidth for the floors (0: unknown). run_ablate sets the
  // rest (profile off, hollow).
  TrialSpec trial;
  std::vector<std::string> roles;  // the roles to hollow one at a time; empty: every role
  std::string child_binary;        // default: this executable
};

// One role of the step: its calls per step, and what they are.
struct StepRole {
  std::string role;      // SlotCall::site
  std::string variants;  // "attn_in.q4_1:fused" (layers that bind differently: comma-joined)
  int32_t calls = 0;     // per step
  double bytes = 0;      // per step: the bound variants' declared bytes
};

// The roles of the step `plan` builds for `model` on `backend`, in first-call order, without
// launching anything (the caller needs no device). Throws PlanError where the plan does not fit,
// and std::invalid_argument (LlamaStep::set_hollow's, naming the step's roles) where `hollow`
// holds a role the step lacks.
std::vector<StepRole> step_roles(const std::string& model, const std::string& plan,
                                 const std::string& workload, Backend backend,
                                 const std::vector<std::string>& hollow = {});

struct AblateRow {
  StepRole role;        // for the all-roles row: role "(all)", every call of the step
  TrialResult trial;    // the step with this role hollow
  double saved_us = 0;  // per token: the whole step's median minus this trial's
  // How far saved_us may be off: the two medians' 99% interval half-widths added (per token).
  double saved_ci_us = 0;
  double floor_us = 0;  // per token: role.bytes at peak_gbps (0: bandwidth unknown)
};

struct AblateReport {
  TrialResult whole;  // nothing hollow
  std::vector<AblateRow> rows;
  AblateRow all;            // every role hollow
  TrialResult whole_again;  // nothing hollow, last: a host that changed speed meanwhile shows
  // The whole step's change from first to last, as a fraction of the first (0 if either failed).
  double drift() const;
};

// Median microseconds per token of an ok trial, and its 99% interval's half-width; 0 otherwise.
double us_per_token(const TrialResult& t);
double us_half_width(const TrialResult& t);

// Runs the whole step, each of `roles` named in o.roles hollow (all of them when o.roles is
// empty), every role hollow, then the whole step again; `roles` is step_roles() of o.trial's
// step, which has checked o.roles. `on_row` sees the first whole step (row nullptr) and then each
// row as it completes.
AblateReport run_ablate(
    const AblateOptions& o, const std::vector<StepRole>& roles,
    const std::function<void(const TrialResult&, const AblateRow*)>& on_row = {});

}  // namespace swapbench
