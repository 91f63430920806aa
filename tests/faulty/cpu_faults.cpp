// Test-only CPU variants that misbehave on purpose, compiled into `swapbench_with_faults` only
// (never into the swapbench users run): they prove that a trial which aborts or hangs becomes a
// recorded status and the sweep goes on.
#include <cstdlib>
#include <thread>

#include "kernels/common/variant.h"
#include "kernels/rmsnorm/rmsnorm.h"

namespace swapbench::rmsnorm {
namespace {

void abort_launch(const Args&, const LaunchCtx&) { std::abort(); }

void hang_launch(const Args&, const LaunchCtx&) {
  for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
}

}  // namespace

SB_ON_LOAD {
  register_variant<Args>({.slot = "rmsnorm", .name = "test_abort", .backend = Backend::cpu,
                          .equality = Equality::bitwise,
                          .rationale = "Test only: aborts the process.", .test_only = true},
                         &abort_launch);
  register_variant<Args>({.slot = "rmsnorm", .name = "test_hang", .backend = Backend::cpu,
                          .equality = Equality::bitwise,
                          .rationale = "Test only: never returns.", .test_only = true},
                         &hang_launch);
}

}  // namespace swapbench::rmsnorm
