// Enumerating plans for a sweep from the registry and the model's call sites.
#include "runner/sweep_planner.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <stdexcept>

#include "runner/engine/llama_step.h"
#include "runner/plan.h"

namespace swapbench {
namespace {

// The slots this model's step calls, from a reference binding of its step.
std::vector<std::string> slots_used(const LlamaModel& m, Backend backend) {
  Bindings b(Plan{}, backend);
  LlamaStep step(m.config(), m.layers(), m.token_embd(), m.output(), 1024, b);
  std::vector<std::string> out;
  for (const auto& [slot, names] : b.chosen()) out.push_back(slot);
  return out;
}

bool selected(const std::string& slot, const std::vector<std::string>& filter) {
  if (filter.empty()) return true;
  const SlotInfo* s = Registry::instance().slot(slot);
  for (const std::string& f : filter)
    if (f == slot || (s && f == s->family)) return true;
  return false;
}

// Does `variant` serve every call site of `slot` in this model (fallbacks allowed)?
bool applies_to_model(const LlamaModel& m, Backend backend, const std::string& slot,
                      const std::string& variant) {
  try {
    Bindings b(Plan::parse(slot + "=" + variant), backend);
    LlamaStep step(m.config(), m.layers(), m.token_embd(), m.output(), 1024, b);
    return true;
  } catch (const PlanError&) {
    return false;
  }
}

// A plan file's line whose names no backend knows (a misspelt slot or variant, a parameter out
// of range) is a mistake to stop on before anything runs: PlanError naming the line, with the
// given backend's message. A plan right for the other backend only (a CUDA nightly file run on a
// CPU host) is kept: its trials are recorded as skipped with the reason, as any plan that does
// not apply.
void check_names(const std::string& plan, Backend backend, const std::string& where) {
  try {
    Bindings b(Plan::parse(plan), backend);
  } catch (const PlanError& mine) {
    try {
      Bindings b(Plan::parse(plan), backend == Backend::cpu ? Backend::cuda : Backend::cpu);
    } catch (const PlanError&) {
      throw PlanError(where + ": " + mine.what());
    }
  }
}

}  // namespace

std::vector<std::string> plan_sweep(const LlamaModel& model, Backend backend,
                                    const PlannerOptions& o) {
  const Registry& reg = Registry::instance();
  const std::vector<std::string> sites = slots_used(model, backend);
  for (const std::string& f : o.slots) {
    bool known = false;
    for (const std::string& slot : sites) known = known || selected(slot, {f});
    if (!known) throw std::invalid_argument("slot '" + f + "' is not used by this model");
  }
  // Per selected slot: the variants that can serve the model, reference excluded.
  std::vector<std::pair<std::string, std::vector<std::string>>> choices;
  for (const std::string& slot : sites) {
    if (!selected(slot, o.slots)) continue;
    const std::string& ref = reg.slot(slot)->reference(backend);
    std::vector<std::string> names;
    for (const Variant* v : reg.variants(slot, backend))
      if (v->info.name != ref && applies_to_model(model, backend, slot, v->info.name))
        names.push_back(v->info.name);
    if (!names.empty()) choices.emplace_back(slot, names);
  }

  std::vector<std::string> plans{""};
  if (o.planner == "one-at-a-time") {
    for (const auto& [slot, names] : choices)
      for (const std::string& n : names) plans.push_back(slot + "=" + n);
  } else if (o.planner == "cartesian") {
    size_t total = 1;
    for (const auto& [slot, names] : choices) {
      total *= names.size() + 1;
      if (total > o.max_plans)
        throw std::invalid_argument("cartesian sweep over " + std::to_string(choices.size()) +
                                    " slots exceeds " + std::to_string(o.max_plans) +
                                    " plans; narrow it with --slots or raise --max-trials");
    }
    std::vector<std::string> partial{""};
    for (const auto& [slot, names] : choices) {
      std::vector<std::string> next;
      for (const std::string& p : partial) {
        next.push_back(p);
        for (const std::string& n : names)
          next.push_back(p + (p.empty() ? "" : ",") + slot + "=" + n);
      }
      partial = std::move(next);
    }
    plans = partial;
  } else if (o.planner == "file") {
    std::ifstream f(o.file);
    if (!f) throw std::invalid_argument("cannot read plan file '" + o.file + "'");
    int line_no = 0;
    for (std::string line; std::getline(f, line);) {
      ++line_no;
      if (const auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
      line.erase(0, line.find_first_not_of(" \t"));
      line.erase(line.find_last_not_of(" \t\r") + 1);
      if (line.empty()) continue;
      check_names(line, backend, "plan file '" + o.file + "' line " + std::to_string(line_no));
      plans.push_back(line);
    }
  } else {
    throw std::invalid_argument("unknown planner '" + o.planner +
                                "' (one-at-a-time, cartesian, file)");
  }
  // Canonical text, reference first, no duplicates, order kept.
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const std::string& p : plans) {
    const std::string canon = Plan::parse(p).to_string();
    if (seen.insert(canon).second) out.push_back(canon);
  }
  return out;
}

}  // namespace swapbench
