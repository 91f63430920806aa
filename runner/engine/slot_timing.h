// Builds SlotTiming records from the calls an observer saw: shared by the engines' profilers.
#pragma once

#include "runner/engine/engine.h"

namespace swapbench {

inline SlotTiming slot_timing(const SlotCall& c, double ms) {
  const VariantInfo& v = c.binding->variant->info;
  return {*c.slot, v.name, c.site, c.layer, ms, v.bytes(*c.shape), v.flops(*c.shape)};
}

}  // namespace swapbench
