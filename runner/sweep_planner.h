// Sweep planners: which plans a sweep runs on a model.
//   one-at-a-time  every variant alone, every other slot at its reference
//   cartesian      every combination of the slots' variants (bounded by max_trials)
//   file           plans read from a file, one per line ('#' starts a comment)
#pragma once

#include <string>
#include <vector>

#include "kernels/common/variant.h"
#include "runner/model/llama_model.h"

namespace swapbench {

struct PlannerOptions {
  std::string planner = "one-at-a-time";
  std::vector<std::string> slots;  // slot keys or families to vary; empty = every slot
  size_t max_plans = 256;          // cartesian: refuse to enumerate more (one-line error)
  std::string file;                // planner "file"
};

// The plans, reference first ("" is the reference plan), canonical text, no duplicates.
// Only variants that apply to every call site of their slot in this model are used (a variant
// with a fallback counts as applying). Throws std::invalid_argument on a bad planner, an
// unknown slot, an unreadable file or a cartesian product over max_plans, and PlanError on a
// plan file's line that names a slot, variant or parameter value no backend has (a plan that
// only the other backend can run is kept, and its trials are skipped with the reason).
std::vector<std::string> plan_sweep(const LlamaModel& model, Backend backend,
                                    const PlannerOptions& options);

// Deterministic share of a list for shard `index` of `count` (0-based): items i with
// i % count == index. Throws std::invalid_argument unless 0 <= index < count.
template <class T>
std::vector<T> shard(const std::vector<T>& items, int index, int count) {
  if (count < 1 || index < 0 || index >= count)
    throw std::invalid_argument("shard " + std::to_string(index) + "/" + std::to_string(count) +
                                " is not a share (use i/N with 0 <= i < N)");
  std::vector<T> out;
  for (size_t i = 0; i < items.size(); ++i)
    if (int(i % size_t(count)) == index) out.push_back(items[i]);
  return out;
}

}  // namespace swapbench
