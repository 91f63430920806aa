// Parsing workload names.
#include "runner/workload.h"

#include <regex>
#include <stdexcept>

namespace swapbench {

std::string Workload::name() const {
  return "tg" + std::to_string(tokens) + (context > 0 ? "@ctx" + std::to_string(context) : "");
}

Workload Workload::parse(const std::string& text) {
  static const std::regex re(R"(tg([0-9]{1,7})(@ctx([0-9]{1,7}))?)");
  std::smatch m;
  if (!std::regex_match(text, m, re))
    throw std::invalid_argument("unknown workload '" + text + "' (expected tgN or tgN@ctxM)");
  Workload w;
  w.tokens = std::stoi(m[1]);
  w.context = m[3].matched ? std::stoi(m[3]) : 0;
  if (w.tokens < 1) throw std::invalid_argument("workload '" + text + "' decodes no tokens");
  return w;
}

}  // namespace swapbench
