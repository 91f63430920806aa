// `ablate`: the whole step, each role hollow, every role hollow; see ablate.h.
#include "runner/ablate.h"

#include <algorithm>
#include <map>
#include <set>

#include "runner/bench.h"
#include "runner/engine/llama_step.h"
#include "runner/model/llama_model.h"
#include "runner/workload.h"

namespace swapbench {

std::vector<StepRole> step_roles(const std::string& model, const std::string& plan,
                                 const std::string& workload, Backend backend,
                                 const std::vector<std::string>& hollow) {
  const auto m = LlamaModel::load(model);
  const Workload wl = Workload::parse(workload);
  // The trial's cache length (run_trial): shapes that carry max_ctx bind as they will there.
  const int32_t start = wl.kind == Workload::Kind::tg ? wl.context : 0;
  const int32_t max_ctx = std::min(start + wl.tokens + 1, m->config().context);
  Bindings bindings(Plan::parse(plan), backend);
  LlamaStep step(m->config(), m->layers(), m->token_embd(), m->output(), max_ctx, bindings);
  step.set_hollow(hollow);  // the engine's check, before any trial runs
  std::vector<StepRole> roles;
  std::map<std::string, size_t> at;                     // role -> index in roles
  std::map<std::string, std::set<std::string>> listed;  // role -> its slot:variant names so far
  for (const SlotCall& c : step.calls()) {
    auto [it, fresh] = at.try_emplace(c.site, roles.size());
    if (fresh) roles.push_back({.role = c.site});
    StepRole& r = roles[it->second];
    ++r.calls;
    const VariantInfo& v = c.binding->variant->info;
    r.bytes += v.bytes ? v.bytes(*c.shape) : 0.0;
    const std::string name = *c.slot + ":" + v.name;
    if (listed[r.role].insert(name).second) r.variants += (r.variants.empty() ? "" : ",") + name;
  }
  return roles;
}

double us_per_token(const TrialResult& t) {
  return t.status == "ok" ? t.summary.median * 1e3 : 0.0;
}

double us_half_width(const TrialResult& t) {
  return t.status == "ok" ? t.summary.ci.interval.half_width() * 1e3 : 0.0;
}

AblateReport run_ablate(const AblateOptions& o, const std::vector<StepRole>& roles,
                        const std::function<void(const TrialResult&, const AblateRow*)>& on_row) {
  std::vector<const StepRole*> chosen;
  for (const StepRole& r : roles)
    if (o.roles.empty() || std::find(o.roles.begin(), o.roles.end(), r.role) != o.roles.end())
      chosen.push_back(&r);

  const std::string binary = o.child_binary.empty() ? self_binary() : o.child_binary;
  auto trial = [&](std::vector<std::string> hollow) {
    TrialSpec s = o.trial;
    // Whole: the equality pass checks that the timed chain and the host-driven steps agree, as
    // in every bench trial. Hollow: timing only (TrialSpec::hollow).
    s.profile = false;
    s.hollow = std::move(hollow);
    return run_trial_in_child(s, binary);
  };
  auto row = [&](const StepRole& role, TrialResult t, const TrialResult& whole) {
    AblateRow r{.role = role, .trial = std::move(t)};
    const double us = us_per_token(r.trial), whole_us = us_per_token(whole);
    if (us > 0 && whole_us > 0) {
      r.saved_us = whole_us - us;
      r.saved_ci_us = us_half_width(whole) + us_half_width(r.trial);
    }
    r.floor_us = o.trial.peak_gbps > 0 ? role.bytes / (o.trial.peak_gbps * 1e3) : 0.0;
    return r;
  };

  AblateReport report;
  report.whole = trial({});
  if (on_row) on_row(report.whole, nullptr);
  for (const StepRole* r : chosen) {
    report.rows.push_back(row(*r, trial({r->role}), report.whole));
    if (on_row) on_row(report.rows.back().trial, &report.rows.back());
  }
  StepRole every{.role = "(all)"};
  std::vector<std::string> all_names;
  for (const StepRole& r : roles) {
    every.calls += r.calls;
    every.bytes += r.bytes;
    all_names.push_back(r.role);
  }
  report.all = row(every, trial(all_names), report.whole);
  if (on_row) on_row(report.all.trial, &report.all);
  report.whole_again = trial({});
  return report;
}

double AblateReport::drift() const {
  const double first = us_per_token(whole), last = us_per_token(whole_again);
  return first > 0 && last > 0 ? last / first - 1 : 0.0;
}

}  // namespace swapbench
