// `swapbench diff A.json B.json`: names the first slot, layer and step whose output differs
// between two trials recorded with taps, and by how much.
#include <fstream>
#include <iostream>

#include "runner/cli/commands.h"
#include "runner/trial.h"

namespace swapbench::cli {
namespace {

TrialResult load(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw UsageError("cannot read " + path);
  try {
    const nlohmann::json j = nlohmann::json::parse(f);
    // Accept a single trial result or a bench --json file with one trial picked by --trial.
    return result_from_json(j);
  } catch (const std::exception& e) {
    throw UsageError(path + ": " + e.what());
  }
}

}  // namespace

void add_diff(CLI::App& app, Action& run) {
  auto* c = app.add_subcommand("diff", "First slot/layer/step whose output differs between two trials");
  static std::string a_path, b_path;
  c->add_option("a", a_path, "Trial result JSON (recorded with taps)")->required();
  c->add_option("b", b_path, "Trial result JSON to compare with (the reference)")->required();
  c->callback([&run] {
    run = [] {
      const TrialResult a = load(a_path), b = load(b_path);
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
