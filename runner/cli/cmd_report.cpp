// `swapbench report`: the static HTML site and summary.md from the results database, which it
// opens read-only (a report never changes the database).
#include <filesystem>
#include <iostream>

#include "baselines/store.h"
#include "reports/site.h"
#include "runner/cli/commands.h"

namespace swapbench::cli {

void add_report(CLI::App& app, Action& run) {
  auto* c = app.add_subcommand(
      "report", "Write a static HTML site (runs, trends, slots, gates) and summary.md");
  static std::string db = "swapbench.db", out;
  c->add_option("--db", db, "Results database");
  c->add_option("-o,--output", out, "Folder for the site (created when missing)")->required();
  c->callback([&run] {
    run = [] {
      const store::Store s = store::Store::open_read_only(db);
      const report::Written w = report::write_site(s, out);
      std::cerr << "report: " << w.pages.size() << " files in " << out
                << " (summary: " << w.summary.string() << ")\n";
      std::cout << std::filesystem::absolute(w.index).lexically_normal().string() << "\n";
      return 0;
    };
  });
}

}  // namespace swapbench::cli
