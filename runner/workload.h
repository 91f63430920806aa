// Workloads: what one trial decodes. `tgN` decodes N tokens after a one-token prompt;
// `tgN@ctxM` decodes N tokens after M positions of context are filled.
#pragma once

#include <cstdint>
#include <string>

namespace swapbench {

struct Workload {
  int32_t tokens = 128;  // decode steps timed
  int32_t context = 0;   // positions filled before timing
  std::string name() const;
  static Workload parse(const std::string& text);  // throws std::invalid_argument
};

}  // namespace swapbench
