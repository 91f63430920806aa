// Reading and writing gate thresholds; every rejection names the field and what was wrong.
#include "baselines/thresholds.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace swapbench::gate {
namespace {

[[noreturn]] void bad(const std::string& field, const std::string& why) {
  throw std::runtime_error("field '" + field + "': " + why);
}

// A fraction in [0, 1): a drop of 100% or more would never fail.
double fraction(const nlohmann::json& v, const std::string& field) {
  if (!v.is_number()) bad(field, "expected a number, got " + v.dump());
  const double x = v.get<double>();
  if (!std::isfinite(x) || x < 0 || x >= 1)
    bad(field, "expected a fraction in [0, 1), got " + v.dump());
  return x;
}

}  // namespace

Thresholds Thresholds::parse(const nlohmann::json& j) {
  if (!j.is_object()) throw std::runtime_error("expected a JSON object, got " + j.dump());
  Thresholds t;
  for (const auto& [key, v] : j.items()) {
    if (key == "version") {
      if (!v.is_number_integer()) bad(key, "expected an integer, got " + v.dump());
      t.version = v.get<int>();
      if (t.version < 1 || t.version > kVersion)
        bad(key, "version " + std::to_string(t.version) + " is not one this swapbench reads (1.." +
                     std::to_string(kVersion) + ")");
    } else if (key == "decode_drop") {
      t.decode_drop = fraction(v, key);
    } else if (key == "prefill_drop") {
      t.prefill_drop = fraction(v, key);
    } else if (key == "p_value") {
      t.p_value = fraction(v, key);
      if (t.p_value == 0) bad(key, "0 would make every drop insignificant");
    } else if (key == "min_graphs_ratio") {
      if (!v.is_number()) bad(key, "expected a number, got " + v.dump());
      t.min_graphs_ratio = v.get<double>();
      if (!std::isfinite(t.min_graphs_ratio) || t.min_graphs_ratio < 0)
        bad(key, "expected a ratio >= 0 (0 turns the check off), got " + v.dump());
    } else if (key == "graphs_off_drop") {
      t.graphs_off_drop = fraction(v, key);
    } else if (key == "per_workload_drop") {
      if (!v.is_object()) bad(key, "expected an object {workload: drop}, got " + v.dump());
      for (const auto& [workload, drop] : v.items())
        t.per_workload_drop[workload] = fraction(drop, key + "." + workload);
    } else {
      bad(key,
          "unknown key (known: version, decode_drop, prefill_drop, p_value, "
          "min_graphs_ratio, per_workload_drop, graphs_off_drop)");
    }
  }
  return t;
}

Thresholds Thresholds::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open thresholds file");
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(path + ": not JSON: " + e.what());
  }
  try {
    return parse(j);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

nlohmann::json Thresholds::to_json() const {
  return {{"version", version},
          {"decode_drop", decode_drop},
          {"prefill_drop", prefill_drop},
          {"p_value", p_value},
          {"min_graphs_ratio", min_graphs_ratio},
          {"per_workload_drop", per_workload_drop},
          {"graphs_off_drop", graphs_off_drop}};
}

double Thresholds::drop_for(const std::string& workload, bool graphs) const {
  double drop = workload.starts_with("pp") ? prefill_drop : decode_drop;
  if (auto it = per_workload_drop.find(workload); it != per_workload_drop.end()) drop = it->second;
  return graphs ? drop : std::max(drop, graphs_off_drop);
}

}  // namespace swapbench::gate
