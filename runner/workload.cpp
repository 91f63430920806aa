// Parsing workload names.
#include "runner/workload.h"

#include <regex>
#include <stdexcept>

namespace swapbench {

std::string Workload::name() const {
  if (kind == Kind::pp) return "pp" + std::to_string(tokens);
  return "tg" + std::to_string(tokens) + (context > 0 ? "@ctx" + std::to_string(context) : "");
}

Workload Workload::parse(const std::string& text) {
  static const std::regex tg(R"(tg([0-9]{1,7})(@ctx([0-9]{1,7}))?)");
  static const std::regex pp(R"(pp([0-9]{1,7}))");
  std::smatch m;
  Workload w;
  if (std::regex_match(text, m, tg)) {
    w.tokens = std::stoi(m[1]);
    w.context = m[3].matched ? std::stoi(m[3]) : 0;
  } else if (std::regex_match(text, m, pp)) {
    w.kind = Kind::pp;
    w.tokens = std::stoi(m[1]);
  } else {
    throw std::invalid_argument("unknown workload '" + text +
                                "' (expected tgN, tgN@ctxM or ppN)");
  }
  if (w.tokens < 1) throw std::invalid_argument("workload '" + text + "' decodes no tokens");
  return w;
}

}  // namespace swapbench
