// `swapbench diff A.json B.json`: names the first slot, layer and step whose output differs
// between two trials recorded with taps, and by how much.
#include <fstream>
#include <iostream>

#include "runner/cli/commands.h"
#include "runner/trial.h"

namespace swapbench::cli {
namespace {

// A trial result file (`swapbench trial`), or trial `index` of a `bench --json` file.
TrialResult load(const std::string& path, int index) {
  std::ifstream f(path);
  if (!f) throw UsageError("cannot read " + path);
  try {
    const nlohmann::json j = nlohmann::json::parse(f);
    if (!j.contains("trials")) return result_from_json(j);
    if (index < 0 || size_t(index) >= j["trials"].size())
      throw std::runtime_error("bench file has " + std::to_string(j["trials"].size()) +
                               " trials; pick one with --trial-a/--trial-b (0-based)");
    return result_from_json(j["trials"][size_t(index)]);
  } catch (const UsageError&) {
    throw;
  } catch (const std::exception& e) {
    throw UsageError(path + ": " + e.what());
  }
}

}  // namespace

void add_diff(CLI::App& app, Action& run) {
  auto* c = app.add_subcommand("diff", "First slot/layer/step whose output differs between two trials");
  static std::string a_path, b_path;
  static int trial_a = -1, trial_b = -1;
  c->add_option("a", a_path, "Trial result JSON (recorded with taps)")->required();
  c->add_option("b", b_path, "Trial result JSON to compare with (the reference)")->required();
  c->add_option("--trial-a", trial_a, "When a is a bench --json file: which trial (0-based)");
  c->add_option("--trial-b", trial_b, "When b is a bench --json file: which trial (0-based)");
  c->callback([&run] {
    run = [] {
      const TrialResult a = load(a_path, trial_a), b = load(b_path, trial_b);
      if (a.taps.empty() || b.taps.empty())
        throw UsageError("both trials need taps: run them with --taps N");
      const auto d = taps::first_difference(a.taps, b.taps);
      if (!d) {
        std::cout << "no difference in " << std::min(a.taps.size(), b.taps.size())
                  << " tapped slot outputs\n";
        return 0;
      }
      std::cout << "first difference: " << d->describe() << "\n";
      return 1;
    };
  });
}

}  // namespace swapbench::cli
