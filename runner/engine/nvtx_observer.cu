// NVTX ranges per layer and slot (see nvtx_observer.h).
#include <nvtx3/nvToolsExt.h>

#include "runner/engine/nvtx_observer.h"

namespace swapbench {

void NvtxStepObserver::before(const SlotCall& c) {
  if (next_ == names_.size()) {
    std::string name;
    if (c.layer >= 0) name.append("L").append(std::to_string(c.layer)).append("/");
    name.append(*c.slot).append(":").append(c.binding->variant->info.name);
    names_.push_back(std::move(name));
  }
  nvtxRangePushA(names_[next_++].c_str());
  if (inner_) inner_->before(c);
}

void NvtxStepObserver::after(const SlotCall& c) {
  if (inner_) inner_->after(c);
  nvtxRangePop();
}

}  // namespace swapbench
