// `swapbench trial --spec FILE|-`: runs exactly one trial in this process and prints its
// result as JSON on stdout (what `bench` runs in each child process).
#include <fstream>
#include <iostream>
#include <iterator>

#include "runner/cli/commands.h"
#include "runner/trial.h"

namespace swapbench::cli {

void add_trial(CLI::App& app, Action& run) {
  auto* c = app.add_subcommand("trial", "Run one trial from a JSON spec; print the result JSON");
  static std::string spec_path;
  c->add_option("--spec", spec_path, "Trial spec file, or - for stdin (docs/trial-json.md)")
      ->required();
  c->callback([&run] {
    run = [] {
      std::string text;
      if (spec_path == "-") {
        text.assign(std::istreambuf_iterator<char>(std::cin), {});
      } else {
        std::ifstream f(spec_path);
        if (!f) throw UsageError("cannot read spec " + spec_path);
        text.assign(std::istreambuf_iterator<char>(f), {});
      }
      TrialSpec spec;
      try {
        spec = spec_from_json(nlohmann::json::parse(text));
      } catch (const std::exception& e) {
        throw UsageError(std::string("bad trial spec: ") + e.what());
      }
      std::cout << to_json(run_trial(spec)).dump() << "\n";
      return 0;
    };
  });
}

}  // namespace swapbench::cli
