// sched_setaffinity and a CPU-list parser in the kernel's own list format (cpuset(7)).
#include "harness/cpu_affinity.h"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <set>
#include <stdexcept>

namespace swapbench::affinity {
namespace {

int parse_cpu(const std::string& text, const std::string& whole) {
  int v = -1;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < 0 ||
      v >= CPU_SETSIZE)
    throw std::invalid_argument("cpu list '" + whole + "': '" + text + "' is not a CPU number (0-" +
                                std::to_string(CPU_SETSIZE - 1) + ")");
  return v;
}

}  // namespace

std::vector<int> parse_cpu_list(const std::string& text) {
  if (text.empty()) throw std::invalid_argument("cpu list is empty (e.g. 2 or 0-3,8)");
  std::set<int> out;
  size_t start = 0;
  for (;;) {
    const size_t comma = text.find(',', start);
    const std::string item = text.substr(start, comma == std::string::npos ? comma : comma - start);
    const size_t dash = item.find('-');
    if (dash == std::string::npos) {
      out.insert(parse_cpu(item, text));
    } else {
      const int lo = parse_cpu(item.substr(0, dash), text);
      const int hi = parse_cpu(item.substr(dash + 1), text);
      if (hi < lo)
        throw std::invalid_argument("cpu list '" + text + "': range " + item + " runs backwards");
      for (int c = lo; c <= hi; ++c) out.insert(c);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return {out.begin(), out.end()};
}

std::string format_cpu_list(const std::vector<int>& cpus) {
  std::string s;
  for (size_t i = 0; i < cpus.size();) {
    size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    if (!s.empty()) s += ',';
    s += std::to_string(cpus[i]);
    if (j > i) s += '-' + std::to_string(cpus[j]);
    i = j + 1;
  }
  return s;
}

std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0)
    throw std::runtime_error(std::string("sched_getaffinity: ") + std::strerror(errno));
  std::vector<int> out;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &set)) out.push_back(c);
  return out;
}

void check_allowed(const std::vector<int>& cpus) {
  const std::vector<int> allowed = allowed_cpus();
  const std::set<int> ok(allowed.begin(), allowed.end());
  for (int c : cpus)
    if (!ok.count(c))
      throw std::invalid_argument(
          "cpu " + std::to_string(c) +
          " is not available to this process (allowed: " + format_cpu_list(allowed) + ")");
}

int current_cpu() { return sched_getcpu(); }

ScopedPin::ScopedPin(const std::vector<int>& cpus) {
  if (cpus.empty()) return;
  CPU_ZERO(&previous_);
  if (sched_getaffinity(0, sizeof previous_, &previous_) != 0)
    throw std::runtime_error(std::string("sched_getaffinity: ") + std::strerror(errno));
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int c : cpus) CPU_SET(c, &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0)
    throw std::runtime_error("cannot pin to cpus " + format_cpu_list(cpus) + ": " +
                             std::strerror(errno));
  pinned_ = true;
}

ScopedPin::~ScopedPin() {
  if (pinned_) sched_setaffinity(0, sizeof previous_, &previous_);
}

}  // namespace swapbench::affinity
