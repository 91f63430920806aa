// Trial spec and result <-> JSON (the format is documented in docs/trial-json.md).
#include <stdexcept>

#include "runner/trial.h"

namespace swapbench {
namespace {

template <class T>
void get(const nlohmann::json& j, const char* key, T& out) {
  if (!j.contains(key)) return;  // absent: keep the default
  try {
    out = j.at(key).get<T>();
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("trial spec field '") + key + "': " + e.what());
  }
}

nlohmann::json summary_json(const stats::Summary& s) {
  return {{"n", s.n},
          {"median_ms", s.median},
          {"q1_ms", s.q1},
          {"q3_ms", s.q3},
          {"min_ms", s.min},
          {"max_ms", s.max},
          {"ci_lo_ms", s.ci.interval.lo},
          {"ci_hi_ms", s.ci.interval.hi},
          {"ci_coverage", s.ci.coverage},
          {"ci_exact", s.ci.exact},
          {"rel_half_width", s.relative_half_width()}};
}

}  // namespace

nlohmann::json to_json(const TrialSpec& s) {
  return {{"model", s.model},
          {"plan", s.plan},
          {"workload", s.workload},
          {"backend", s.backend},
          {"graphs", s.graphs},
          {"pdl", s.pdl},
          {"seed", s.seed},
          {"stop",
           {{"rel_half_width", s.stop.rel_half_width},
            {"confidence", s.stop.confidence},
            {"max_seconds", s.stop.max_seconds},
            {"min_reps", s.stop.min_reps},
            {"max_reps", s.stop.max_reps}}},
          {"profile", s.profile},
          {"taps_steps", s.taps_steps},
          {"logits_out", s.logits_out},
          {"timeout_seconds", s.timeout_seconds},
          {"peak_gbps", s.peak_gbps},
          {"cpus", s.cpus},
          {"hollow", s.hollow}};
}

TrialSpec spec_from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw std::runtime_error("trial spec must be a JSON object");
  TrialSpec s;
  get(j, "model", s.model);
  if (s.model.empty()) throw std::runtime_error("trial spec needs 'model'");
  get(j, "plan", s.plan);
  get(j, "workload", s.workload);
  get(j, "backend", s.backend);
  get(j, "graphs", s.graphs);
  get(j, "pdl", s.pdl);
  get(j, "seed", s.seed);
  if (j.contains("stop")) {
    const auto& st = j.at("stop");
    get(st, "rel_half_width", s.stop.rel_half_width);
    get(st, "confidence", s.stop.confidence);
    get(st, "max_seconds", s.stop.max_seconds);
    get(st, "min_reps", s.stop.min_reps);
    get(st, "max_reps", s.stop.max_reps);
  }
  get(j, "profile", s.profile);
  get(j, "taps_steps", s.taps_steps);
  get(j, "logits_out", s.logits_out);
  get(j, "timeout_seconds", s.timeout_seconds);
  get(j, "peak_gbps", s.peak_gbps);
  get(j, "cpus", s.cpus);
  get(j, "hollow", s.hollow);
  return s;
}

nlohmann::json to_json(const TrialResult& r) {
  nlohmann::json slots = nlohmann::json::array();
  for (const SlotShare& s : r.slots)
    slots.push_back({{"slot", s.slot},
                     {"variant", s.variant},
                     {"calls", s.calls},
                     {"ms", s.ms},
                     {"share", s.share},
                     {"bytes", s.bytes},
                     {"gbps", s.gbps},
                     {"pct_of_peak", s.pct_of_peak}});
  return {{"spec", to_json(r.spec)},
          {"status", r.status},
          {"error", r.error},
          {"device", r.device},
          {"samples_ms", r.samples_ms},
          {"reps", r.reps},
          {"stop_reason", r.stop_reason},
          {"summary", r.samples_ms.empty() ? nlohmann::json() : summary_json(r.summary)},
          {"tokens_per_second", r.tokens_per_second},
          {"tokens", r.tokens},
          {"fingerprints", r.fingerprints},
          {"slots", slots},
          {"health", r.health.to_json()},
          {"variants", r.variants},
          {"fallbacks", r.fallbacks},
          {"unused_plan_entries", r.unused_plan_entries},
          {"weight_bytes_per_token", r.weight_bytes_per_token},
          {"taps", taps::to_json(r.taps)},
          {"equality", r.equality},
          {"cpus_seen", r.cpus_seen},
          {"repeat", r.repeat}};
}

TrialResult result_from_json(const nlohmann::json& j) {
  TrialResult r;
  try {
    r.spec = spec_from_json(j.at("spec"));
    r.status = j.at("status").get<std::string>();
    r.error = j.value("error", "");
    r.device = j.value("device", "");
    r.samples_ms = j.value("samples_ms", std::vector<double>{});
    r.reps = j.value("reps", 0);
    r.stop_reason = j.value("stop_reason", "");
    if (!r.samples_ms.empty()) r.summary = stats::summarize(r.samples_ms, r.spec.stop.confidence);
    r.tokens_per_second = j.value("tokens_per_second", 0.0);
    r.tokens = j.value("tokens", std::vector<int32_t>{});
    r.fingerprints = j.value("fingerprints", std::vector<std::string>{});
    for (const auto& s : j.value("slots", nlohmann::json::array()))
      r.slots.push_back({s.at("slot"), s.at("variant"), s.at("calls"), s.at("ms"), s.at("share"),
                         s.at("bytes"), s.at("gbps"), s.at("pct_of_peak")});
    r.variants = j.value("variants", std::map<std::string, std::string>{});
    r.fallbacks = j.value("fallbacks", std::vector<std::string>{});
    r.unused_plan_entries = j.value("unused_plan_entries", std::vector<std::string>{});
    r.weight_bytes_per_token = j.value("weight_bytes_per_token", 0.0);
    if (j.contains("taps")) r.taps = taps::from_json(j.at("taps"));
    r.equality = j.value("equality", "");
    r.cpus_seen = j.value("cpus_seen", std::vector<int32_t>{});
    r.repeat = j.value("repeat", 0);
    r.health = HealthReport::from_json(j.at("health"));
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("malformed trial result: ") + e.what());
  }
  return r;
}

}  // namespace swapbench
