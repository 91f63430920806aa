// Plans: which variant (and parameters) each slot uses for a whole decode.
//
// Written `rmsnorm=warp_shuffle,matvec.q4_1=v3_small[threads=128]`. A key is a slot
// (`matvec.q4_1`) or a slot family (`matvec`: every `matvec.<type>` slot that has the named
// variant). Unnamed slots take their reference variant for the backend.
#pragma once

#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/common/variant.h"

namespace swapbench {

// A plan that cannot be used: unknown slot or variant, wrong backend, shape not covered.
// The message lists the valid names or the offending shapes. The CLI exits 2 on it.
struct PlanError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct PlanEntry {
  std::string variant;
  Params params;  // only those given in the plan text
};

struct Plan {
  std::map<std::string, PlanEntry> entries;  // by slot key or family

  static Plan parse(const std::string& text);  // throws PlanError on syntax errors
  std::string to_string() const;               // canonical text; "" for the reference plan
};

// Characters of a table's plan column that holds every one of `plans` (canonical texts, ""
// printed as "reference") with two spaces to spare, and at least `min_width`.
size_t plan_column_width(const std::vector<std::string>& plans, size_t min_width = 46);

// One slot call site's choice, resolved against the registry for one backend.
struct Binding {
  const Variant* variant = nullptr;
  Params params;           // every declared parameter, defaults filled in
  bool fell_back = false;  // the planned variant did not apply; its fallback runs
  std::string planned;     // the variant the plan named (differs when fell_back)
};

// Resolves a plan for a backend. Engines declare every (slot, shape) they will call while
// they are built; all problems are collected and thrown as one PlanError by check().
class Bindings {
 public:
  Bindings(Plan plan, Backend backend);  // validates names and backends; throws PlanError

  // Declares a call site; returns its binding (valid until this object dies).
  const Binding& bind(const std::string& slot, const Shape& shape);
  void check() const;  // throws PlanError listing every call site no variant can serve

  const Plan& plan() const { return plan_; }
  Backend backend() const { return backend_; }
  // Call sites where a fallback replaced the planned variant: "matvec.q4_1 v3_small->v3 at
  // rows=..".
  std::vector<std::string> fallbacks() const;
  // slot -> variant name actually used, over all call sites (for results and NVTX names).
  std::map<std::string, std::string> chosen() const;
  // Plan entries ("wo_ffn_in=coalesced_dp4a") that no declared call site took: the model has no
  // such slot (matvec.f16 on a q4_0 model), or the engine did not declare it (a fused slot whose
  // matrices differ in type). They change nothing; the CLI says so rather than stay silent.
  std::vector<std::string> unused() const;

 private:
  // The plan's entry (key, entry) for a slot: its own, or its family's; nullptr when unnamed.
  using KeyedEntry = std::pair<const std::string, PlanEntry>;
  const KeyedEntry* entry_for(const std::string& slot) const;
  Plan plan_;
  Backend backend_;
  std::map<std::pair<std::string, Shape>, Binding> sites_;
  std::set<std::string> taken_;  // keys of plan_'s entries that some call site took
  std::vector<std::string> problems_;
};

}  // namespace swapbench
