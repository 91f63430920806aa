// The variant registry: a process-wide table filled at load time by SB_ON_LOAD blocks.
#include <algorithm>
#include <sstream>

#include "kernels/common/variant.h"

namespace swapbench {

std::string to_string(Backend b) { return b == Backend::cpu ? "cpu" : "cuda"; }
std::string to_string(Equality e) { return e == Equality::bitwise ? "bitwise" : "reassociates"; }

std::optional<Backend> backend_from_string(const std::string& s) {
  if (s == "cpu") return Backend::cpu;
  if (s == "cuda") return Backend::cuda;
  return std::nullopt;
}

std::string Shape::describe() const {
  std::ostringstream o;
  auto field = [&](const char* n, int64_t v) {
    if (v == 0) return;
    if (o.tellp() > 0) o << ' ';
    o << n << '=' << v;
  };
  field("rows", rows);
  field("rows2", rows2);
  field("cols", cols);
  field("heads", heads);
  field("kv_heads", kv_heads);
  field("head_dim", head_dim);
  field("max_ctx", max_ctx);
  return o.str();
}

int64_t LaunchCtx::param(const std::string& name) const {
  if (params) {
    auto it = params->find(name);
    if (it != params->end()) return it->second;
  }
  throw std::logic_error("variant parameter '" + name + "' was not declared or not resolved");
}

std::optional<std::string> require(bool ok, const std::string& reason_if_not) {
  if (ok) return std::nullopt;
  return reason_if_not;
}

Registry& Registry::instance() {
  static Registry r;
  return r;
}

void Registry::add_slot(SlotInfo s) {
  if (s.family.empty()) s.family = s.key;
  const std::string key = s.key;
  if (!slots_.emplace(key, std::move(s)).second)
    throw std::logic_error("slot registered twice: " + key);
}

void Registry::add_variant(Variant v) {
  if (!v.info.applies) v.info.applies = [](const Shape&) { return std::nullopt; };
  if (!v.info.bytes) v.info.bytes = [](const Shape&) { return 0.0; };
  if (!v.info.flops) v.info.flops = [](const Shape&) { return 0.0; };
  if (!v.info.workspace_bytes) v.info.workspace_bytes = [](const Shape&) { return size_t{0}; };
  const std::string key = v.info.key();
  if (!variants_.emplace(key, std::move(v)).second)
    throw std::logic_error("variant registered twice: " + key);
}

const SlotInfo* Registry::slot(const std::string& key) const {
  auto it = slots_.find(key);
  return it == slots_.end() ? nullptr : &it->second;
}

std::vector<const SlotInfo*> Registry::slots() const {
  std::vector<const SlotInfo*> out;
  for (const auto& [k, s] : slots_) out.push_back(&s);
  return out;
}

const Variant* Registry::find(const std::string& slot, const std::string& name) const {
  auto it = variants_.find(slot + "." + name);
  return it == variants_.end() ? nullptr : &it->second;
}

std::vector<const Variant*> Registry::variants(const std::string& slot,
                                               std::optional<Backend> backend,
                                               bool include_test_only) const {
  std::vector<const Variant*> out;
  for (const auto& [k, v] : variants_) {
    if (!slot.empty() && v.info.slot != slot) continue;
    if (backend && v.info.backend != *backend) continue;
    if (v.info.test_only && !include_test_only) continue;
    out.push_back(&v);
  }
  return out;
}

Params default_params(const VariantInfo& info) {
  Params out;
  for (const ParamSpec& p : info.params) out[p.name] = p.def;
  return out;
}

const Variant& reference_variant(const std::string& slot, Backend backend) {
  const SlotInfo* s = Registry::instance().slot(slot);
  if (!s) throw std::logic_error("no slot '" + slot + "' is registered");
  const Variant* v = Registry::instance().find(slot, s->reference(backend));
  if (!v) throw std::logic_error("slot '" + slot + "' has no " + to_string(backend) + " reference");
  return *v;
}

}  // namespace swapbench
