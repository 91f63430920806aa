// `swapbench list slots|variants`: what the registry holds, for people and for scripts.
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "kernels/common/variant.h"
#include "runner/cli/commands.h"

namespace swapbench::cli {

void add_list(CLI::App& app, Action& run) {
  auto* c = app.add_subcommand("list", "List slots or variants");
  static std::string what, backend;
  static bool json = false;
  c->add_option("what", what, "slots or variants")->required()->check(CLI::IsMember({"slots", "variants"}));
  c->add_option("--backend", backend, "Only this backend (cpu or cuda)")
      ->check(CLI::IsMember({"cpu", "cuda"}));
  c->add_flag("--json", json, "Machine-readable output");
  c->callback([&run] {
    run = [] {
      const Registry& reg = Registry::instance();
      const std::optional<Backend> be =
          backend.empty() ? std::nullopt : backend_from_string(backend);
      nlohmann::json j = nlohmann::json::array();
      if (what == "slots") {
        for (const SlotInfo* s : reg.slots()) {
          nlohmann::json names = nlohmann::json::array();
          for (const Variant* v : reg.variants(s->key, be)) names.push_back(v->info.name);
          j.push_back({{"slot", s->key},
                       {"family", s->family},
                       {"contract", s->contract},
                       {"cpu_reference", s->cpu_reference},
                       {"cuda_reference", s->cuda_reference},
                       {"variants", names}});
        }
        if (json) {
          std::cout << j.dump(2) << "\n";
          return 0;
        }
        for (const auto& s : j) {
          std::cout << std::left << std::setw(24) << s["slot"].get<std::string>()
                    << s["contract"].get<std::string>() << "\n"
                    << std::setw(24) << "" << "variants:";
          for (const auto& n : s["variants"]) std::cout << ' ' << n.get<std::string>();
          std::cout << "  (reference cpu " << s["cpu_reference"].get<std::string>() << ", cuda "
                    << s["cuda_reference"].get<std::string>() << ")\n";
        }
        return 0;
      }
      for (const Variant* v : reg.variants("", be)) {
        const VariantInfo& i = v->info;
        nlohmann::json params = nlohmann::json::array();
        for (const ParamSpec& p : i.params)
          params.push_back({{"name", p.name}, {"min", p.min}, {"max", p.max},
                            {"default", p.def}, {"doc", p.doc}});
        j.push_back({{"key", i.key()},
                     {"slot", i.slot},
                     {"name", i.name},
                     {"backend", to_string(i.backend)},
                     {"equality", to_string(i.equality)},
                     {"rationale", i.rationale},
                     {"fallback", i.fallback},
                     {"params", params}});
      }
      if (json) {
        std::cout << j.dump(2) << "\n";
        return 0;
      }
      for (const auto& v : j) {
        std::cout << std::left << std::setw(36) << v["key"].get<std::string>() << std::setw(6)
                  << v["backend"].get<std::string>() << std::setw(14)
                  << v["equality"].get<std::string>();
        for (const auto& p : v["params"])
          std::cout << p["name"].get<std::string>() << "=" << p["default"].get<int64_t>() << "["
                    << p["min"].get<int64_t>() << ".." << p["max"].get<int64_t>() << "] ";
        if (!v["fallback"].get<std::string>().empty())
          std::cout << "fallback " << v["fallback"].get<std::string>();
        std::cout << "\n    " << v["rationale"].get<std::string>() << "\n";
      }
      return 0;
    };
  });
}

}  // namespace swapbench::cli
