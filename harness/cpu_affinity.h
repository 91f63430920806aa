// Which CPUs a trial's process runs on. Eager decode (graphs off) is bound by the host's launch
// rate, so a graphs-off figure is a host property as much as a decode property: `bench --cpus`
// and `sweep --cpus` pin every trial (the same core from run to run, no migrations, away from a
// busy one), and every trial records the CPUs its timing loop saw (`cpus_seen`), so a figure can
// be put against where it ran. (On the H200 VM of docs/results.md pinning did not remove the
// spread: smollm2 graphs off measured 1500-2060 tok/s on the same pinned core, 2026-12-02.)
#pragma once

#include <sched.h>

#include <string>
#include <vector>

namespace swapbench::affinity {

// "2", "0-3,8" -> sorted distinct CPU numbers; throws std::invalid_argument naming the fault.
std::vector<int> parse_cpu_list(const std::string& text);
// The inverse, with ranges: {0,1,2,3,8} -> "0-3,8".
std::string format_cpu_list(const std::vector<int>& cpus);
// The CPUs this process may run on now.
std::vector<int> allowed_cpus();
// Throws std::invalid_argument when a CPU of `cpus` is not in allowed_cpus().
void check_allowed(const std::vector<int>& cpus);
// The CPU the calling thread runs on (-1 when unknown).
int current_cpu();

// Pins the calling thread to `cpus` (threads it starts later, CUDA's too, inherit it) and restores
// the previous set on destruction; an empty list pins nothing. Throws std::runtime_error when the
// kernel refuses the set.
class ScopedPin {
 public:
  explicit ScopedPin(const std::vector<int>& cpus);
  ~ScopedPin();
  ScopedPin(const ScopedPin&) = delete;
  ScopedPin& operator=(const ScopedPin&) = delete;

 private:
  bool pinned_ = false;
  cpu_set_t previous_;
};

}  // namespace swapbench::affinity
