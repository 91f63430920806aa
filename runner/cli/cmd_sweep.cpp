// `swapbench sweep`: plans from a planner x workloads x graphs modes into the results database,
// one child process per trial; resumable (--resume) and shardable (--shard i/N).
#include <iostream>
#include <sstream>

#include "runner/cli/commands.h"
#include "runner/sweep.h"

namespace swapbench::cli {

void add_sweep(CLI::App& app, Action& run) {
  auto* c = app.add_subcommand("sweep", "Sweep variants through a real decode into the database");
  static std::string model_path, slots, workloads = "tg128", graphs = "on,off",
                                        planner = "one-at-a-time";
  static std::string plans_file, tag, db = "swapbench.db", shard_text = "0/1", resume,
                                      backend = "auto";
  static std::string pdl = "off", cpus;
  static size_t max_trials = 256;
  static double max_seconds = 20, timeout = 300;
  static int32_t taps = 0;
  c->add_option("--model,-m", model_path, "GGUF model (default as for run)");
  c->add_option("--slots", slots, "Comma-separated slots or families to vary (default: all)");
  c->add_option("--workloads,-w", workloads, "Comma-separated: tg128, tg128@ctx4096, pp512");
  c->add_option("--graphs", graphs, "CUDA graphs: on, off or on,off");
  c->add_option("--planner", planner, "one-at-a-time, cartesian or file")
      ->check(CLI::IsMember({"one-at-a-time", "cartesian", "file"}));
  c->add_option("--plans-file", plans_file, "Plans, one per line (planner file)");
  c->add_option("--max-trials", max_trials, "Refuse sweeps with more trials than this");
  c->add_option("--tag", tag, "Run tag: nightly, pr, ...");
  c->add_option("--db", db, "Results database");
  c->add_option("--shard", shard_text, "Take share i of N: i/N (0-based)");
  c->add_option("--resume", resume, "Finish an unfinished run: its UUID, or 'latest'")
      ->expected(0, 1)
      ->default_str("latest");
  c->add_option("--backend", backend, "cpu, cuda or auto");
  c->add_option("--pdl", pdl, "CUDA programmatic dependent launch")
      ->check(CLI::IsMember({"on", "off"}));
  c->add_option("--max-seconds", max_seconds, "Time cap of each trial's timing loop")
      ->check(CLI::NonNegativeNumber);
  c->add_option("--timeout", timeout, "Seconds before a trial's child process is killed")
      ->check(CLI::PositiveNumber);
  c->add_option("--cpus", cpus,
                "Pin every trial's process to these CPUs (2, 0-3,8); each trial stores the CPUs "
                "it ran on");
  c->add_option("--taps", taps,
                "Record per-slot taps for this many steps: the report's divergence pages then "
                "name the first differing slot")
      ->check(CLI::Range(0, 1 << 20));
  c->callback([c, &run] {
    run = [c] {
      SweepOptions o;
      o.db = db;
      o.taps_steps = taps;
      o.model = model_path.empty() ? default_model() : model_path;
      const Backend be = pick_backend(backend);
      o.backend = to_string(be);
      o.planner.planner = planner;
      o.planner.slots = split_list(slots);
      o.planner.file = plans_file;
      o.planner.max_plans = max_trials;
      o.max_trials = max_trials;
      if (planner == "file" && plans_file.empty())
        throw UsageError("--planner file needs --plans-file");
      o.workloads = workloads_option(workloads);
      o.graphs = graphs_option(graphs, be);
      int i = 0, n = 0;
      char slash = 0;
      std::istringstream ss(shard_text);
      if (!(ss >> i >> slash >> n) || slash != '/' || n < 1 || i < 0 || i >= n)
        throw UsageError("--shard takes i/N with 0 <= i < N, got '" + shard_text + "'");
      o.shard_index = i;
      o.shard_count = n;
      if (c->count("--resume")) o.resume = resume.empty() ? "latest" : resume;
      o.tag = tag;
      o.pdl = pdl == "on";
      o.stop.max_seconds = max_seconds;
      o.timeout_seconds = timeout;
      o.cpus = cpus_option(cpus);
      SweepOutcome s;
      try {
        s = run_sweep(o, std::cerr);
      } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
      }
      print_sweep_table(s, std::cout);
      // The last line names the run, for scripts (ci/nightly.sh gates exactly this run).
      std::cout << "run " << s.run_uuid << " in " << o.db;
      if (s.failures) std::cout << " (" << s.failures << " trials failed)";
      std::cout << "\n";
      return s.failures ? 1 : 0;
    };
  });
}

}  // namespace swapbench::cli
