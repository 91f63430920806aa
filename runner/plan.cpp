// Parsing plans and resolving them against the variant registry.
#include "runner/plan.h"

#include <algorithm>
#include <set>
#include <sstream>

namespace swapbench {
namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

std::vector<std::string> split_top(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  for (char c : text) {
    if (c == '[') ++depth;
    if (c == ']') --depth;
    if (c == sep && depth == 0) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

std::vector<std::string> slot_keys_of(const std::string& key) {
  std::vector<std::string> out;
  for (const SlotInfo* s : Registry::instance().slots())
    if (s->key == key || s->family == key) out.push_back(s->key);
  return out;
}

Params resolve_params(const Variant& v, const Params& given) {
  Params out = default_params(v.info);
  for (const auto& [k, val] : given) {
    const ParamSpec* spec = nullptr;
    for (const ParamSpec& p : v.info.params)
      if (p.name == k) spec = &p;
    if (!spec) {
      std::vector<std::string> names;
      for (const ParamSpec& p : v.info.params) names.push_back(p.name);
      throw PlanError(v.info.key() + " has no parameter '" + k +
                      "' (parameters: " + (names.empty() ? "none" : join(names)) + ")");
    }
    if (val < spec->min || val > spec->max)
      throw PlanError(v.info.key() + ": " + k + "=" + std::to_string(val) + " is outside [" +
                      std::to_string(spec->min) + ", " + std::to_string(spec->max) + "]");
    out[k] = val;
  }
  return out;
}

}  // namespace

Plan Plan::parse(const std::string& text) {
  Plan plan;
  if (trim(text).empty() || trim(text) == "reference") return plan;
  for (const std::string& raw : split_top(text, ',')) {
    const std::string item = trim(raw);
    const auto eq = item.find('=');
    if (item.empty() || eq == std::string::npos || eq == 0)
      throw PlanError("plan item '" + item + "' is not slot=variant");
    const std::string key = trim(item.substr(0, eq));
    std::string rhs = trim(item.substr(eq + 1));
    PlanEntry e;
    const auto lb = rhs.find('[');
    if (lb != std::string::npos) {
      if (rhs.back() != ']') throw PlanError("plan item '" + item + "': missing ']'");
      for (const std::string& kv : split_top(rhs.substr(lb + 1, rhs.size() - lb - 2), ';')) {
        const auto peq = kv.find('=');
        if (peq == std::string::npos) throw PlanError("parameter '" + kv + "' is not name=value");
        try {
          size_t used = 0;
          const std::string v = trim(kv.substr(peq + 1));
          e.params[trim(kv.substr(0, peq))] = std::stoll(v, &used);
          if (used != v.size()) throw std::invalid_argument(v);
        } catch (const std::exception&) {
          throw PlanError("parameter '" + kv + "' needs an integer value");
        }
      }
      rhs = trim(rhs.substr(0, lb));
    }
    if (rhs.empty()) throw PlanError("plan item '" + item + "' names no variant");
    e.variant = rhs;
    if (!plan.entries.emplace(key, e).second)
      throw PlanError("plan names slot '" + key + "' twice");
  }
  return plan;
}

size_t plan_column_width(const std::vector<std::string>& plans, size_t min_width) {
  size_t w = min_width;
  for (const std::string& p : plans) w = std::max(w, (p.empty() ? 9 : p.size()) + 2);
  return w;
}

std::string Plan::to_string() const {
  std::string s;
  for (const auto& [k, e] : entries) {
    s += (s.empty() ? "" : ",") + k + "=" + e.variant;
    if (!e.params.empty()) {
      s += "[";
      bool first = true;
      for (const auto& [pk, pv] : e.params) {
        s += (first ? "" : ";") + pk + "=" + std::to_string(pv);
        first = false;
      }
      s += "]";
    }
  }
  return s;
}

Bindings::Bindings(Plan plan, Backend backend) : plan_(std::move(plan)), backend_(backend) {
  const Registry& reg = Registry::instance();
  for (const auto& [key, e] : plan_.entries) {
    const std::vector<std::string> keys = slot_keys_of(key);
    if (keys.empty()) {
      std::set<std::string> names;
      for (const SlotInfo* s : reg.slots()) {
        names.insert(s->key);
        names.insert(s->family);
      }
      throw PlanError("unknown slot '" + key +
                      "'; slots: " + join(std::vector<std::string>(names.begin(), names.end())));
    }
    bool found = false;
    std::set<std::string> valid;
    for (const std::string& k : keys) {
      for (const Variant* v : reg.variants(k, backend_, /*include_test_only=*/true)) {
        valid.insert(v->info.name);
        if (v->info.name == e.variant) {
          found = true;
          resolve_params(*v, e.params);  // validates parameter names and ranges now
        }
      }
    }
    if (!found) {
      for (const std::string& k : keys)
        for (const Variant* v : reg.variants(k, std::nullopt, true))
          if (v->info.name == e.variant)
            throw PlanError(
                key + "=" + e.variant + " is a " + swapbench::to_string(v->info.backend) +
                " variant, but this run uses the " + swapbench::to_string(backend_) + " backend");
      throw PlanError("unknown variant '" + e.variant + "' for slot '" + key + "' on " +
                      swapbench::to_string(backend_) +
                      "; variants: " + join(std::vector<std::string>(valid.begin(), valid.end())));
    }
  }
}

const Bindings::KeyedEntry* Bindings::entry_for(const std::string& slot) const {
  if (auto it = plan_.entries.find(slot); it != plan_.entries.end()) return &*it;
  const SlotInfo* info = Registry::instance().slot(slot);
  if (!info) return nullptr;
  if (auto it = plan_.entries.find(info->family); it != plan_.entries.end()) {
    // A family entry only covers the slots that have the named variant.
    if (Registry::instance().find(slot, it->second.variant)) return &*it;
  }
  return nullptr;
}

const Binding& Bindings::bind(const std::string& slot, const Shape& shape) {
  auto key = std::make_pair(slot, shape);
  if (auto it = sites_.find(key); it != sites_.end()) return it->second;
  const Registry& reg = Registry::instance();
  Binding b;
  const SlotInfo* info = reg.slot(slot);
  if (!info) throw std::logic_error("engine asked for unregistered slot " + slot);
  const KeyedEntry* keyed = entry_for(slot);
  if (keyed) taken_.insert(keyed->first);
  const PlanEntry* e = keyed ? &keyed->second : nullptr;
  b.planned = e ? e->variant : info->reference(backend_);
  const Variant* v = reg.find(slot, b.planned);
  if (!v) {
    problems_.push_back(slot + ": no " + swapbench::to_string(backend_) + " variant '" + b.planned +
                        "' is registered");
  } else if (auto why = v->info.applies(shape)) {
    if (!v->info.fallback.empty() && reg.find(slot, v->info.fallback) &&
        !reg.find(slot, v->info.fallback)->info.applies(shape)) {
      v = reg.find(slot, v->info.fallback);
      b.fell_back = true;
    } else {
      problems_.push_back(slot + "." + b.planned + " cannot run at " + shape.describe() + ": " +
                          *why);
      v = nullptr;
    }
  }
  b.variant = v;
  if (v) b.params = resolve_params(*v, e && !b.fell_back ? e->params : Params{});
  return sites_.emplace(key, std::move(b)).first->second;
}

void Bindings::check() const {
  if (problems_.empty()) return;
  std::string msg = "plan '" + plan_.to_string() + "' does not fit this model: ";
  for (size_t i = 0; i < problems_.size(); ++i) msg += (i ? "; " : "") + problems_[i];
  throw PlanError(msg);
}

std::vector<std::string> Bindings::fallbacks() const {
  std::vector<std::string> out;
  for (const auto& [key, b] : sites_)
    if (b.fell_back && b.variant)
      out.push_back(key.first + " " + b.planned + "->" + b.variant->info.name + " at " +
                    key.second.describe());
  return out;
}

std::vector<std::string> Bindings::unused() const {
  std::vector<std::string> out;
  for (const auto& [key, e] : plan_.entries)
    if (!taken_.contains(key)) out.push_back(Plan{{{key, e}}}.to_string());
  return out;
}

std::map<std::string, std::string> Bindings::chosen() const {
  std::map<std::string, std::string> out;
  for (const auto& [key, b] : sites_) {
    if (!b.variant) continue;
    std::string& s = out[key.first];
    if (s.find(b.variant->info.name) == std::string::npos)
      s += (s.empty() ? "" : "+") + b.variant->info.name;
  }
  return out;
}

}  // namespace swapbench
