// swapbench command line: one subcommand per job; errors become one line and an exit code.
#include <cstdio>
#include <iostream>

#include "runner/cli/commands.h"
#include "runner/model/gguf.h"
#include "runner/plan.h"
#include "runner/provenance.h"

int main(int argc, char** argv) {
  namespace cli = swapbench::cli;
  CLI::App app{"swapbench: sweep interchangeable kernel variants through a real LLM decode"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(SWAPBENCH_VERSION));
  cli::Action run;
  cli::add_version(app, run);
  cli::add_info(app, run);
  cli::add_run(app, run);
  cli::add_gen_model(app, run);
  cli::add_list(app, run);
  cli::add_device_info(app, run);
  cli::add_bench(app, run);
  cli::add_trial(app, run);
  cli::add_diff(app, run);
  cli::add_sweep(app, run);
  cli::add_gate(app, run);
  cli::add_baseline(app, run);
  cli::add_db(app, run);
  cli::add_report(app, run);
  cli::add_timeline(app, run);
  cli::add_ablate(app, run);
  swapbench::record_command_line(argc, argv);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help is a ParseError with exit code 0: CLI11 prints it. Every other one is a usage error
    // like an unknown variant: one line and exit 2 (CLI11 alone prints two and exits 105-ish).
    if (e.get_exit_code() == 0) return app.exit(e);
    std::cerr << "swapbench: error: " << e.what() << " (--help lists the options)\n";
    return 2;
  }
  try {
    return run ? run() : 0;
  } catch (const swapbench::PlanError& e) {
    std::cerr << "swapbench: error: " << e.what() << "\n";
    return 2;
  } catch (const cli::UsageError& e) {
    std::cerr << "swapbench: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "swapbench: error: " << e.what() << "\n";
    return 1;
  }
}
