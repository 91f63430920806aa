// The swapbench subcommands; each file runner/cli/cmd_<name>.cpp adds one to the app.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/common/variant.h"

namespace swapbench::cli {

// A usage-level failure (bad argument, unknown variant, plan that does not fit): exit 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A failure with the exit code its command promises for it (gate: 1 means a regression, so every
// error there is 2).
struct ExitError : std::runtime_error {
  ExitError(const std::string& what, int exit_code) : std::runtime_error(what), code(exit_code) {}
  int code;
};

// Each add_* registers a subcommand and sets `run` to its action; the action returns the
// process exit code.
using Action = std::function<int()>;
void add_version(CLI::App& app, Action& run);
void add_info(CLI::App& app, Action& run);
void add_run(CLI::App& app, Action& run);
void add_gen_model(CLI::App& app, Action& run);
void add_list(CLI::App& app, Action& run);
void add_device_info(CLI::App& app, Action& run);
void add_bench(CLI::App& app, Action& run);
void add_trial(CLI::App& app, Action& run);
void add_diff(CLI::App& app, Action& run);
void add_sweep(CLI::App& app, Action& run);
void add_gate(CLI::App& app, Action& run);
void add_baseline(CLI::App& app, Action& run);
void add_db(CLI::App& app, Action& run);
void add_report(CLI::App& app, Action& run);
void add_timeline(CLI::App& app, Action& run);
void add_ablate(CLI::App& app, Action& run);

// The line `run` and `bench` print for a plan entry that no call of the model's step took
// (Bindings::unused()): the plan still runs, without it.
std::string unused_note(const std::string& entry);

// ---- option values several subcommands share (options.cpp); each bad one is a UsageError ----

// "a,b,,c" -> {"a", "b", "c"}: the comma lists of --workloads, --graphs, --slots.
std::vector<std::string> split_list(const std::string& text);

// --backend: cpu, cuda, or auto (the GPU when there is one).
Backend pick_backend(const std::string& name);

// --workloads of bench, sweep and paired gate: at least one, each one Workload::parse accepts.
std::vector<std::string> workloads_option(const std::string& text);

// --graphs of bench, sweep and paired gate: on, off or both, in the order given; only off on the
// CPU, where graphs mean nothing.
std::vector<bool> graphs_option(const std::string& text, Backend backend);

// --plan of bench and paired gate: each plan's names checked against the registry for `backend`
// (a PlanError, exit 2) before any trial runs; returns them unchanged.
std::vector<std::string> checked_plans(const std::vector<std::string>& plans, Backend backend);

// A file the command writes when done (bench and ablate --json, gate --markdown, timeline
// --records): checked before any trial runs, so a mistyped path costs no measurement. Its folder
// must exist and be writable, and the path must not be a folder. "" (not asked for) passes.
void output_file_option(const std::string& path, const std::string& option);

// The stopping rule and the child's timeout, as bench and ablate take them: --max-seconds,
// --rel-half-width, --min-reps and --timeout, each checked to its range.
void add_stop_options(CLI::App* c, double& max_seconds, double& rel_half_width, int32_t& min_reps,
                      double& timeout);

// --cpus of bench and sweep: the list checked against the CPUs this process may use and written
// canonically ("0-3,8"); a bad list or an unavailable CPU is a UsageError. "" stays "".
std::string cpus_option(const std::string& text);

// models/ under the source tree, or $SWAPBENCH_MODELS.
std::string models_dir();
// The model `run` uses when --model is not given: the real SmolLM2 when fetched, else a
// generated tiny model (written on first use).
std::string default_model();

}  // namespace swapbench::cli
