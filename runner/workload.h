// Workloads: what one trial decodes.
//   tgN        decode N tokens after a one-token prompt
//   tgN@ctxM   decode N tokens after M positions of context are filled
//   ppN        process an N-token prompt from position 0. The prefill path is the decode step
//              run once per prompt token (no batched prefill slot yet), fed the model's own
//              greedy tokens: the same work as any N-token prompt.
#pragma once

#include <cstdint>
#include <string>

namespace swapbench {

struct Workload {
  enum class Kind { tg, pp };
  Kind kind = Kind::tg;
  int32_t tokens = 128;  // steps timed
  int32_t context = 0;   // positions filled before timing (tg only)
  std::string name() const;
  static Workload parse(const std::string& text);  // throws std::invalid_argument
};

}  // namespace swapbench
