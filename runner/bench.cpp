// Running trials in child processes and judging them against the reference trial.
#include "runner/bench.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>

#include "harness/child_process.h"
#include "harness/equality.h"
#include "harness/stats.h"
#include "runner/model/llama_model.h"

namespace swapbench {
namespace {

std::string last_line(const std::string& s) {
  size_t end = s.find_last_not_of("\n ");
  if (end == std::string::npos) return "";
  size_t start = s.rfind('\n', end);
  return s.substr(start == std::string::npos ? 0 : start + 1,
                  end - (start == std::string::npos ? 0 : start + 1) + 1);
}

}  // namespace

std::string self_binary() { return std::filesystem::read_symlink("/proc/self/exe").string(); }

nlohmann::json device_info_in_child(const std::string& binary) {
  const ChildResult c = run_child({binary, "device-info", "--json"}, "", std::chrono::seconds(120));
  // An empty object, never null: callers read it with value(key, default), which throws on null.
  if (c.status != ChildResult::Status::exited || c.exit_code != 0) return nlohmann::json::object();
  try {
    nlohmann::json j = nlohmann::json::parse(c.out);
    return j.is_object() ? j : nlohmann::json::object();
  } catch (const std::exception&) {
    return nlohmann::json::object();
  }
}

TrialResult run_trial_in_child(const TrialSpec& spec, const std::string& binary) {
  const ChildResult c = run_child({binary, "trial", "--spec", "-"}, to_json(spec).dump(),
                                  std::chrono::milliseconds(int64_t(spec.timeout_seconds * 1000)));
  TrialResult r;
  r.spec = spec;
  if (c.status == ChildResult::Status::exited && c.exit_code == 0) {
    try {
      return result_from_json(nlohmann::json::parse(c.out));
    } catch (const std::exception& e) {
      r.status = "error";
      r.error = std::string("unreadable trial output: ") + e.what();
      return r;
    }
  }
  switch (c.status) {
    case ChildResult::Status::timed_out:
      r.status = "timeout";
      r.error = c.describe();
      break;
    case ChildResult::Status::signaled:
      r.status = "crashed";
      r.error = c.describe() + (c.err.empty() ? "" : ": " + last_line(c.err));
      break;
    case ChildResult::Status::exited:
      r.status = "error";
      r.error = c.describe() + (c.err.empty() ? "" : ": " + last_line(c.err));
      break;
    case ChildResult::Status::failed_to_start:
      r.status = "error";
      r.error = c.describe();
      break;
  }
  return r;
}

std::string declared_equality_error(const TrialResult& r, const std::string& verdict) {
  const Registry& reg = Registry::instance();
  const auto backend = backend_from_string(r.spec.backend);
  if (!backend || verdict.empty()) return "";
  std::vector<std::string> bitwise_variants;
  for (const auto& [slot, names] : r.variants) {
    const SlotInfo* s = reg.slot(slot);
    if (!s) continue;
    size_t start = 0;
    while (start <= names.size()) {
      const size_t plus = names.find('+', start);
      const std::string name =
          names.substr(start, plus == std::string::npos ? std::string::npos : plus - start);
      start = plus == std::string::npos ? names.size() + 1 : plus + 1;
      if (name == s->reference(*backend)) continue;
      const Variant* v = reg.find(slot, name);
      if (!v) continue;
      if (v->info.equality != Equality::bitwise) return "";  // the plan may reassociate
      bitwise_variants.push_back(v->info.key());
    }
  }
  if (bitwise_variants.empty() || verdict == "bitwise") return "";
  std::string names;
  for (const auto& n : bitwise_variants) names += (names.empty() ? "" : ", ") + n;
  return "declared bitwise (" + names + ") but measured " + verdict;
}

void judge_equality(TrialResult& r, const TrialResult* ref, size_t vocab) {
  if (r.status != "ok") return;
  if (r.spec.plan.empty()) {
    r.equality = "bitwise";
    return;
  }
  if (!ref || ref->status != "ok") return;
  r.equality = equality::classify(equality_steps(r, vocab), equality_steps(*ref, vocab)).text();
  if (const std::string err = declared_equality_error(r, r.equality); !err.empty()) {
    r.status = "mismatch";
    r.error = err;
  }
}

SpeedRange SpeedRange::of(const std::vector<double>& tps) {
  if (tps.empty()) return {};
  const auto [lo, hi] = std::minmax_element(tps.begin(), tps.end());
  return {int32_t(tps.size()), stats::median(tps), *lo, *hi};
}

void judge_repeat(TrialResult& r, const TrialResult& first) {
  if (r.status != "ok" || first.status != "ok") return;
  for (size_t i = 0; i < r.fingerprints.size() && i < first.fingerprints.size(); ++i) {
    if (r.fingerprints[i] == first.fingerprints[i]) continue;
    r.status = "mismatch";
    r.error = "repeat " + std::to_string(r.repeat) +
              " decoded other logits than repeat 0 at step " + std::to_string(i) +
              " (fingerprint " + r.fingerprints[i] + " vs " + first.fingerprints[i] + ")";
    return;
  }
}

BenchReport run_bench(const BenchOptions& o,
                      const std::function<void(const TrialResult&)>& on_trial) {
  const std::string binary = o.child_binary.empty() ? self_binary() : o.child_binary;
  std::string dir = o.work_dir;
  std::filesystem::path tmp;
  if (dir.empty()) {
    tmp = std::filesystem::temp_directory_path() /
          ("swapbench-bench-" +
           std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    std::filesystem::create_directories(tmp);
    dir = tmp.string();
  }
  const size_t vocab = size_t(LlamaModel::load(o.model)->config().vocab);

  std::vector<std::string> plans{""};
  for (const std::string& p : o.plans)
    if (!Plan::parse(p).entries.empty()) plans.push_back(Plan::parse(p).to_string());

  // Every (plan, workload, graphs mode) once; each round runs them in this order, so round 0's
  // trial of configuration i is report.trials[i].
  std::vector<TrialSpec> configs;
  std::map<std::pair<std::string, bool>, size_t> reference;  // (workload, graphs) -> config
  for (const std::string& plan : plans) {
    for (const std::string& wl : o.workloads) {
      for (bool g : o.graphs) {
        if (plan.empty()) reference[{wl, g}] = configs.size();
        TrialSpec& s = configs.emplace_back();
        s.model = o.model;
        s.plan = plan;
        s.workload = wl;
        s.backend = o.backend;
        s.graphs = g;
        s.pdl = o.pdl;
        s.stop = o.stop;
        s.profile = o.profile;
        s.taps_steps = o.taps_steps;
        s.timeout_seconds = o.timeout_seconds;
        s.peak_gbps = o.peak_gbps;
        s.cpus = o.cpus;
      }
    }
  }

  BenchReport report;
  for (int32_t rep = 0; rep < std::max<int32_t>(1, o.repeat); ++rep) {
    for (size_t i = 0; i < configs.size(); ++i) {
      TrialSpec s = configs[i];
      s.logits_out = dir + "/trial" + std::to_string(report.trials.size()) + ".f32";
      TrialResult r = run_trial_in_child(s, binary);
      r.repeat = rep;
      const size_t ref = reference.at({s.workload, s.graphs});
      judge_equality(r, s.plan.empty() ? nullptr : &report.trials[ref], vocab);
      if (rep > 0) judge_repeat(r, report.trials[i]);
      if (on_trial) on_trial(r);
      report.trials.push_back(std::move(r));
    }
  }
  // tok/s of the ok trials of one configuration, over its processes.
  auto speeds = [&](const std::string& plan, const std::string& wl, bool g) {
    std::vector<double> v;
    for (const TrialResult& t : report.trials)
      if (t.status == "ok" && t.spec.plan == plan && t.spec.workload == wl && t.spec.graphs == g)
        v.push_back(t.tokens_per_second);
    return v;
  };
  for (const std::string& plan : plans) {
    for (const std::string& wl : o.workloads) {
      const SpeedRange on = SpeedRange::of(speeds(plan, wl, true));
      const SpeedRange off = SpeedRange::of(speeds(plan, wl, false));
      if (o.repeat > 1)
        for (bool g : o.graphs)
          if (const SpeedRange& v = g ? on : off; v.n > 0)
            report.spreads.push_back({plan, wl, g, v.n, v.median, v.min, v.max});
      if (on.n == 0 || off.n == 0) continue;
      report.ratios.push_back(
          {plan, wl, on.median, off.median, on.min, on.max, off.min, off.max, on.n, off.n});
    }
  }
  if (!tmp.empty()) std::filesystem::remove_all(tmp);
  return report;
}

}  // namespace swapbench
