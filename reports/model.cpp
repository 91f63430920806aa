// Reads the results database into the report model: every field of a trial comes from its
// stored result_json (docs/trial-json.md), the tok/s from its tokens_per_second column.
#include "reports/model.h"

#include <algorithm>

#include "harness/cpu_affinity.h"
#include "runner/trial.h"

namespace swapbench::report {
namespace {

double num(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j.at(key).is_number()) return 0;
  return j.at(key).get<double>();
}

std::string str(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j.at(key).is_string()) return "";
  return j.at(key).get<std::string>();
}

Trial read_trial(const store::TrialRow& row, const std::string& model) {
  Trial t;
  const nlohmann::json& r = row.result;
  t.id = row.id;
  t.key = row.key;
  t.plan = row.plan;
  t.workload = row.workload;
  t.graphs = row.graphs;
  t.status = row.status;
  t.equality = row.equality;
  t.model_sha256 = row.model_sha256;
  t.model = model;
  t.tps = row.tokens_per_second;
  if (r.contains("spec") && r["spec"].is_object())
    t.roofline = roofline_pct(t.tps, num(r, "weight_bytes_per_token"), num(r["spec"], "peak_gbps"));
  t.error = str(r, "error");
  t.stop_reason = str(r, "stop_reason");
  t.reps = static_cast<int64_t>(num(r, "reps"));
  if (r.contains("summary") && r["summary"].is_object()) {
    const nlohmann::json& s = r["summary"];
    t.median_ms = num(s, "median_ms");
    t.ci_lo_ms = num(s, "ci_lo_ms");
    t.ci_hi_ms = num(s, "ci_hi_ms");
    t.n_samples = static_cast<int64_t>(num(s, "n"));
    if (t.ci_hi_ms > 0) t.tps_lo = 1000.0 / t.ci_hi_ms;
    if (t.ci_lo_ms > 0) t.tps_hi = 1000.0 / t.ci_lo_ms;
  }
  if (r.contains("health") && r["health"].is_object()) {
    const nlohmann::json& h = r["health"];
    t.health_sampled = h.value("sampled", false);
    t.healthy = h.value("healthy", true);
    if (h.contains("evidence") && h["evidence"].is_array())
      for (const auto& e : h["evidence"])
        if (e.is_string()) t.evidence.push_back(e.get<std::string>());
  }
  if (r.contains("cpus_seen") && r["cpus_seen"].is_array()) {
    std::vector<int> cpus;
    for (const auto& c : r["cpus_seen"])
      if (c.is_number_integer()) cpus.push_back(c.get<int>());
    t.cpus = affinity::format_cpu_list(cpus);
  }
  if (r.contains("slots") && r["slots"].is_array())
    for (const auto& s : r["slots"])
      t.slots.push_back({str(s, "slot"), str(s, "variant"), num(s, "calls"), num(s, "ms"),
                         num(s, "share"), num(s, "bytes"), num(s, "gbps"), num(s, "pct_of_peak")});
  if (r.contains("variants") && r["variants"].is_object())
    for (const auto& [slot, v] : r["variants"].items())
      if (v.is_string()) t.variants[slot] = v.get<std::string>();
  if (r.contains("fingerprints") && r["fingerprints"].is_array())
    for (const auto& f : r["fingerprints"])
      if (f.is_string()) t.fingerprints.push_back(f.get<std::string>());
  t.taps = r.contains("taps") && r["taps"].is_array() ? r["taps"] : nlohmann::json::array();
  return t;
}

}  // namespace

size_t Run::failures() const {
  return static_cast<size_t>(
      std::count_if(trials.begin(), trials.end(), [](const Trial& t) { return t.status != "ok"; }));
}

const Trial* Run::reference_for(const Trial& t) const {
  for (const Trial& r : trials)
    if (r.is_reference() && r.workload == t.workload && r.graphs == t.graphs &&
        r.model_sha256 == t.model_sha256)
      return &r;
  return nullptr;
}

const Trial* Run::other_mode(const Trial& t) const {
  for (const Trial& r : trials)
    if (r.plan == t.plan && r.workload == t.workload && r.graphs != t.graphs &&
        r.model_sha256 == t.model_sha256)
      return &r;
  return nullptr;
}

const Trial* Run::fastest_bitwise() const {
  const Trial* best = nullptr;
  for (const Trial& t : trials) {
    const bool bitwise = t.equality == "bitwise" || (t.is_reference() && t.equality.empty());
    if (t.status == "ok" && bitwise && t.tps > 0 && (!best || t.tps > best->tps)) best = &t;
  }
  return best;
}

const Run* Site::run(const std::string& uuid) const {
  for (const Run& r : runs)
    if (r.info.uuid == uuid) return &r;
  return nullptr;
}

Site load_site(const store::Store& db) {
  Site site;
  site.db_path = db.path();
  std::map<std::string, std::string> model_names;
  auto model_name = [&](const std::string& sha) -> std::string {
    if (sha.empty()) return "";
    auto it = model_names.find(sha);
    if (it != model_names.end()) return it->second;
    const auto m = db.model(sha);
    const std::string name = m && !m->description.empty() ? m->description : sha.substr(0, 12);
    return model_names[sha] = name;
  };
  for (const store::RunInfo& info : db.runs()) {
    Run run;
    run.info = info;
    for (const store::TrialRow& row : db.trials(info.uuid))
      run.trials.push_back(read_trial(row, model_name(row.model_sha256)));
    run.gates = db.gate_decisions(info.uuid);
    if (!run.trials.empty()) run.model_description = run.trials.front().model;
    site.runs.push_back(std::move(run));
  }
  for (const std::string& name : db.baselines()) site.promotions[name] = db.baseline_history(name);
  site.gates = db.all_gate_decisions();
  return site;
}

}  // namespace swapbench::report
