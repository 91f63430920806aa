// The registry of per-translation-unit sink setters (block_trace.h).
#include "kernels/common/block_trace.h"

#include <mutex>
#include <vector>

namespace swapbench::trace {
namespace {
std::vector<SinkSetter>& setters() {
  static std::vector<SinkSetter> s;  // filled from static initializers: constructed on first use
  return s;
}
}  // namespace

bool compiled_in() {
#ifdef SWAPBENCH_TRACE
  return true;
#else
  return false;
#endif
}

void add_sink_setter(SinkSetter setter) { setters().push_back(setter); }

void set_sink(const Sink& sink) {
  for (SinkSetter s : setters()) s(sink);
}

}  // namespace swapbench::trace
