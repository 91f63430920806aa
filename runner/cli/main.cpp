// swapbench command line: one subcommand per job; errors become one line and an exit code.
#include <cstdio>
#include <iostream>
#include <string>

#include "runner/cli/commands.h"
#include "runner/model/gguf.h"
#include "runner/plan.h"
#include "runner/provenance.h"

namespace {

// An error is one line whatever it quotes: a control character from a file (a token's text, a
// key name) is written as an escape, so a script reading stderr sees one line per error.
std::string one_line(const std::string& message) {
  std::string out;
  for (const char ch : message) {
    const auto u = static_cast<unsigned char>(ch);
    if (ch == '\n')
      out += "\\n";
    else if (ch == '\r')
      out += "\\r";
    else if (ch == '\t')
      out += "\\t";
    else if (u < 0x20 || u == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", u);
      out += hex;
    } else {
      out += ch;
    }
  }
  return out;
}

int fail(const std::string& message, int code) {
  std::cerr << "swapbench: error: " << one_line(message) << "\n";
  return code;
}

}  // namespace

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
    return fail(std::string(e.what()) + " (--help lists the options)", 2);
  }
  try {
    return run ? run() : 0;
  } catch (const swapbench::PlanError& e) {
    return fail(e.what(), 2);
  } catch (const cli::UsageError& e) {
    return fail(e.what(), 2);
  } catch (const cli::ExitError& e) {
    return fail(e.what(), e.code);
  } catch (const std::exception& e) {
    return fail(e.what(), 1);
  }
}
