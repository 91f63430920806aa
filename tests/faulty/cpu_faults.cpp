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

// The reference, repeated when SWAPBENCH_TEST_SLOW is set in the environment (children
// inherit it): the same plan name measures fast in one run and slow in the next, which is an
// injected regression for the gate.
void maybe_slow_launch(const Args& a, const LaunchCtx&) {
  static const bool slow = std::getenv("SWAPBENCH_TEST_SLOW") != nullptr;
  for (int i = 0; i < (slow ? 5000 : 1); ++i) reference(a);
}

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
  register_variant<Args>({.slot = "rmsnorm", .name = "test_maybe_slow", .backend = Backend::cpu,
                          .equality = Equality::bitwise,
                          .rationale = "Test only: the reference, 5000x over when "
                                       "SWAPBENCH_TEST_SLOW is set.",
                          .test_only = true},
                         &maybe_slow_launch);
}

}  // namespace swapbench::rmsnorm
