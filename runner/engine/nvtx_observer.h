// NVTX ranges around every slot call of an eagerly issued step, named like
// `L7/matvec.q4_1:v3_small`, so Nsight Systems timelines read at a glance.
#pragma once

#include <string>
#include <vector>

#include "runner/engine/llama_step.h"

namespace swapbench {

// Pushes a range before each slot call and pops it after, then forwards to `inner`. The step
// issues its calls in a fixed order, so names are built during the first step and reused by
// index afterwards: the per-call cost stays a vector read, not a string build.
class NvtxStepObserver final : public StepObserver {
 public:
  void begin_step(StepObserver* inner) {
    inner_ = inner;
    next_ = 0;
  }
  void before(const SlotCall& c) override;
  void after(const SlotCall& c) override;

 private:
  StepObserver* inner_ = nullptr;
  std::vector<std::string> names_;
  size_t next_ = 0;
};

}  // namespace swapbench
