// `swapbench bench`: plans x workloads x graphs modes, each trial isolated in a child process;
// prints a table (tok/s with its interval, change against the reference plan, equality verdict,
// status, health, the CPUs it ran on) and the graphs-on/off ratios; --repeat runs every trial in
// several processes and adds each configuration's spread; --json keeps every sample.
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "harness/child_process.h"
#include "harness/cpu_affinity.h"
#include "runner/bench.h"
#include "runner/cli/commands.h"
#include "runner/plan.h"

namespace swapbench::cli {

namespace {

std::string pct(double x, int precision = 1) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(precision) << x << "%";
  return o.str();
}

void print_row(const TrialResult& r, double ref_tps, bool cuda, size_t plan_w) {
  std::ostringstream tps, ci, iqr, vs, roof;
  if (r.status == "ok" || r.status == "mismatch") {
    tps << std::fixed << std::setprecision(1) << r.tokens_per_second;
    if (const double p = roofline_pct(r); p > 0) roof << pct(p);
    ci << "±" << pct(100 * r.summary.relative_half_width(), 2);
    iqr << pct(100 * r.summary.iqr() / r.summary.median, 2);
    if (ref_tps > 0) {
      const double change = 100 * (r.tokens_per_second / ref_tps - 1);
      vs << (change >= 0 ? "+" : "") << pct(change);
    }
  }
  std::cout << std::left << std::setw(int(plan_w))
            << (r.spec.plan.empty() ? "reference" : r.spec.plan) << std::setw(14) << r.spec.workload
            << std::setw(7) << (cuda ? (r.spec.graphs ? "on" : "off") : "-") << std::right
            << std::setw(10) << tps.str() << std::setw(9) << ci.str() << std::setw(8) << iqr.str()
            << std::setw(9) << vs.str() << std::setw(10) << roof.str() << "  " << std::left
            << std::setw(16) << r.equality
            << std::setw(9) << r.status << std::setw(10)
            << (r.health.sampled ? (r.health.healthy ? "healthy" : "UNHEALTHY") : "-")
            << affinity::format_cpu_list(r.cpus_seen) << "\n";
  if (!r.error.empty()) std::cout << "    " << r.error << "\n";
  for (const std::string& u : r.unused_plan_entries) std::cout << "    " << unused_note(u) << "\n";
  for (const std::string& e : r.health.evidence) std::cout << "    health: " << e << "\n";
}

void print_slots(const TrialResult& r) {
  for (const SlotShare& s : r.slots) {
    std::cout << "    " << std::left << std::setw(24) << s.slot << std::setw(14) << s.variant
              << std::right << std::setw(4) << s.calls << " calls" << std::fixed
              << std::setprecision(3) << std::setw(9) << s.ms << " ms" << std::setw(8)
              << pct(100 * s.share) << std::setprecision(0) << std::setw(8) << s.gbps << " GB/s";
    if (s.pct_of_peak > 0) std::cout << std::setw(8) << pct(s.pct_of_peak) << " of peak";
    std::cout << "\n";
  }
}

}  // namespace

void add_bench(CLI::App& app, Action& run) {
  auto* c = app.add_subcommand(
      "bench", "Measure plans x workloads x graphs modes, each trial in a child process");
  static std::string model_path, backend = "auto", graphs = "on,off", workloads = "tg128";
  static std::vector<std::string> plans;
  static std::string json_out, pdl = "off", keep_dir, cpus;
  static double max_seconds = 20, rel = 0.005, timeout = 300;
  static int32_t taps_steps = 0, min_reps = 3, repeat = 1;
  static bool no_profile = false, show_slots = false;
  c->add_option("--model,-m", model_path, "GGUF model (default as for run)");
  c->add_option("--plan", plans, "A plan; repeat to compare several (the reference always runs)");
  c->add_option("--backend", backend, "cpu, cuda or auto");
  c->add_option("--graphs", graphs, "CUDA graphs: on, off or on,off");
  c->add_option("--pdl", pdl, "CUDA programmatic dependent launch: on or off")
      ->check(CLI::IsMember({"on", "off"}));
  c->add_option("--workload,-w", workloads, "Comma-separated: tg128, tg128@ctx4096, pp512");
  add_stop_options(c, max_seconds, rel, min_reps, timeout);
  c->add_option("--taps", taps_steps, "Record per-slot taps for this many steps (for diff)")
      ->check(CLI::Range(0, 1 << 20));
  c->add_flag("--no-profile", no_profile, "Skip the per-slot attribution pass");
  c->add_flag("--slots", show_slots, "Print each trial's per-slot time breakdown");
  c->add_option("--json", json_out, "Write every trial result (all samples) to this file");
  c->add_option("--keep-dir", keep_dir, "Keep each trial's logits (raw f32) in this folder");
  c->add_option("--repeat", repeat,
                "Run each trial in this many processes, round after round; prints each "
                "configuration's median and range and the on/off ratio of the medians (graphs-off "
                "speed varies between processes)")
      ->check(CLI::Range(1, 100));
  c->add_option("--cpus", cpus,
                "Pin every trial's process to these CPUs (2, 0-3,8): graphs-off speed is the "
                "host's launch rate; the table's last column shows the CPUs each trial ran on");
  c->callback([&run] {
    run = [] {
      output_file_option(json_out, "--json");  // before any trial runs
      BenchOptions o;
      o.model = model_path.empty() ? default_model() : model_path;
      const Backend be = pick_backend(backend);
      o.backend = to_string(be);
      o.workloads = workloads_option(workloads);
      o.graphs = graphs_option(graphs, be);
      o.plans = checked_plans(plans, be);
      o.pdl = pdl == "on";
      o.stop.max_seconds = max_seconds;
      o.stop.rel_half_width = rel;
      o.stop.min_reps = min_reps;
      o.taps_steps = taps_steps;
      o.profile = !no_profile;
      o.timeout_seconds = timeout;
      o.cpus = cpus_option(cpus);
      o.repeat = repeat;
      if (!keep_dir.empty()) {
        std::filesystem::create_directories(keep_dir);
        o.work_dir = keep_dir;
      }
      nlohmann::json device;
      if (be == Backend::cuda) {
        device = device_info_in_child(self_binary());
        o.peak_gbps = device.value("read_gbps", 0.0);
        // The eager launch cost is the host's: graphs-off figures and the on/off ratio depend on
        // it as much as on the kernels (on an H200 host, smollm2 graphs off measured ~1500 or ~2000
        // tok/s from one trial process to the next), so it is printed beside them.
        std::cout << device.value("name", std::string("unknown GPU")) << ", driver "
                  << device.value("driver", std::string("?")) << ", stream read " << std::fixed
                  << std::setprecision(0) << o.peak_gbps << " GB/s, eager launch "
                  << std::setprecision(2) << device.value("launch_us", 0.0) << " us, graph node "
                  << device.value("graph_node_us", 0.0) << " us, dependent node "
                  << device.value("chain_node_us", 0.0) << " us (graphs on/off ceiling "
                  << device.value("graphs_ratio_ceiling", 0.0) << ")\n";
      }
      std::vector<std::string> canonical;
      for (const std::string& p : o.plans) canonical.push_back(Plan::parse(p).to_string());
      const size_t plan_w = plan_column_width(canonical);
      std::cout << "model " << o.model << "\n\n"
                << std::left << std::setw(int(plan_w)) << "plan" << std::setw(14) << "workload"
                << std::setw(7) << "graphs" << std::right << std::setw(10) << "tok/s"
                << std::setw(9) << "99% CI" << std::setw(8) << "IQR" << std::setw(9) << "vs ref"
                << std::setw(10) << "roofline" << "  " << std::left << std::setw(16) << "equality"
                << std::setw(9) << "status"
                << std::setw(10) << "health"
                << "cpus\n";
      std::map<std::pair<std::string, bool>, double> ref_tps;
      const BenchReport report = run_bench(o, [&](const TrialResult& r) {
        if (r.spec.plan.empty()) ref_tps[{r.spec.workload, r.spec.graphs}] = r.tokens_per_second;
        print_row(r, r.spec.plan.empty() ? 0 : ref_tps[{r.spec.workload, r.spec.graphs}],
                  be == Backend::cuda, plan_w);
        if (show_slots) print_slots(r);
        std::cout.flush();
      });
      for (const RepeatSpread& s : report.spreads)
        std::cout << "over processes " << std::left << std::setw(int(plan_w))
                  << (s.plan.empty() ? "reference" : s.plan) << std::setw(14) << s.workload
                  << std::setw(4) << (s.graphs ? "on" : "off") << std::fixed << std::setprecision(1)
                  << "median " << s.median << " tok/s, " << s.min << "-" << s.max << " over " << s.n
                  << " (range " << std::setprecision(1)
                  << (s.median > 0 ? 100 * (s.max - s.min) / s.median : 0) << "%)\n";
      for (const GraphsRatio& g : report.ratios) {
        std::cout << "graphs on/off " << std::left << std::setw(int(plan_w))
                  << (g.plan.empty() ? "reference" : g.plan) << std::setw(14) << g.workload
                  << std::fixed << std::setprecision(2) << g.ratio();
        if (g.n_on > 1 || g.n_off > 1)
          std::cout << " (medians of " << g.n_on << " on, " << g.n_off << " off processes; "
                    << g.ratio_min() << "-" << g.ratio_max() << " between extremes)";
        std::cout << "\n";
      }
      int failures = 0;
      for (const TrialResult& r : report.trials) failures += r.status != "ok";
      if (!json_out.empty()) {
        nlohmann::json j{{"model", o.model},
                         {"backend", o.backend},
                         {"device", device},
                         {"trials", nlohmann::json::array()},
                         {"ratios", nlohmann::json::array()}};
        for (const TrialResult& r : report.trials) j["trials"].push_back(to_json(r));
        for (const GraphsRatio& g : report.ratios)
          j["ratios"].push_back({{"plan", g.plan},
                                 {"workload", g.workload},
                                 {"on", g.on},
                                 {"off", g.off},
                                 {"ratio", g.ratio()},
                                 {"processes_on", g.n_on},
                                 {"processes_off", g.n_off},
                                 {"ratio_min", g.ratio_min()},
                                 {"ratio_max", g.ratio_max()}});
        j["spreads"] = nlohmann::json::array();
        for (const RepeatSpread& s : report.spreads)
          j["spreads"].push_back({{"plan", s.plan},
                                  {"workload", s.workload},
                                  {"graphs", s.graphs},
                                  {"processes", s.n},
                                  {"median", s.median},
                                  {"min", s.min},
                                  {"max", s.max}});
        std::ofstream f(json_out);
        f << j.dump(1) << "\n";
        if (!f) throw std::runtime_error("cannot write " + json_out);
      }
      return failures ? 1 : 0;
    };
  });
}

}  // namespace swapbench::cli
