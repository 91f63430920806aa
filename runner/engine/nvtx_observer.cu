// NVTX ranges per layer and slot (see nvtx_observer.h).
#include <nvtx3/nvToolsExt.h>

#include "runner/engine/nvtx_observer.h"

namespace swapbench {

void NvtxStepObserver::before(const SlotCall& c) {
  if (next_ == names_.size()) {
    std::string name = c.layer >= 0 ? "L" + std::to_string(c.layer) + "/" : std::string();
    names_.push_back(name + *c.slot + ":" + c.binding->variant->info.name);
  }
  nvtxRangePushA(names_[next_++].c_str());
  if (inner_) inner_->before(c);
}

void NvtxStepObserver::after(const SlotCall& c) {
  if (inner_) inner_->after(c);
  nvtxRangePop();
}

}  // namespace swapbench
