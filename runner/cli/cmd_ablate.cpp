// `swapbench ablate`: each role of the step hollow in turn (runner/ablate.h); prints what each
// role's work costs a token, its share of the step and the floor its bytes set, then the step
// with every role hollow (its kernel boundaries alone). --json keeps the rows and every trial.
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "runner/ablate.h"
#include "runner/bench.h"
#include "runner/cli/commands.h"
#include "runner/plan.h"
#include "runner/workload.h"

namespace swapbench::cli {

namespace {

std::string fixed(double x, int precision) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(precision) << x;
  return o.str();
}

void print_header() {
  std::cout << std::left << std::setw(14) << "role" << std::right << std::setw(6) << "calls"
            << std::setw(10) << "MB/token" << std::setw(12) << "tok/s" << std::setw(12)
            << "saved us" << std::setw(8) << "+-" << std::setw(8) << "share" << std::setw(10)
            << "floor us"
            << "  " << std::left << std::setw(8) << "status"
            << "variants\n";
}

void print_row(const AblateRow& r, double whole_us) {
  const bool ok = r.trial.status == "ok";
  std::cout << std::left << std::setw(14) << r.role.role << std::right << std::setw(6)
            << r.role.calls << std::setw(10) << fixed(r.role.bytes / 1e6, 2) << std::setw(12)
            << (ok ? fixed(r.trial.tokens_per_second, 1) : "") << std::setw(12)
            << (ok ? fixed(r.saved_us, 1) : "") << std::setw(8)
            << (ok ? fixed(r.saved_ci_us, 1) : "") << std::setw(8)
            << (ok && whole_us > 0 ? fixed(100 * r.saved_us / whole_us, 1) + "%" : "")
            << std::setw(10) << (r.floor_us > 0 ? fixed(r.floor_us, 1) : "") << "  " << std::left
            << std::setw(8) << r.trial.status << r.role.variants << "\n";
  if (!r.trial.error.empty()) std::cout << "    " << r.trial.error << "\n";
}

nlohmann::json row_json(const AblateRow& r) {
  return {{"role", r.role.role},    {"variants", r.role.variants}, {"calls", r.role.calls},
          {"bytes", r.role.bytes},  {"saved_us", r.saved_us},      {"saved_ci_us", r.saved_ci_us},
          {"floor_us", r.floor_us}, {"trial", to_json(r.trial)}};
}

}  // namespace

void add_ablate(CLI::App& app, Action& run) {
  auto* c = app.add_subcommand(
      "ablate",
      "What each role of the decode step costs a token: the step with that role's calls hollow "
      "(an empty kernel of the same grid), each trial in a child process");
  static std::string model_path, backend = "auto", graphs = "on", workload = "tg128", plan;
  static std::string pdl = "off", roles, json_out, cpus;
  static double max_seconds = 5, rel = 0.005, timeout = 300;
  static int32_t min_reps = 3;
  c->add_option("--model,-m", model_path, "GGUF model (default as for run)");
  c->add_option("--plan", plan, "The plan whose step is ablated (default: the reference)");
  c->add_option("--backend", backend, "cpu, cuda or auto");
  c->add_option("--graphs", graphs, "CUDA graphs: on or off")->check(CLI::IsMember({"on", "off"}));
  c->add_option("--pdl", pdl, "CUDA programmatic dependent launch: on or off")
      ->check(CLI::IsMember({"on", "off"}));
  c->add_option("--workload,-w", workload, "tg128, tg128@ctx4096, pp512");
  c->add_option("--roles", roles,
                "Comma-separated roles to hollow one at a time (attn, ffn_down, output, ...); "
                "default: every role of the step");
  add_stop_options(c, max_seconds, rel, min_reps, timeout);
  c->add_option("--cpus", cpus, "Pin every trial's process to these CPUs (2, 0-3,8)");
  c->add_option("--json", json_out, "Write the rows and every trial result to this file");
  c->callback([&run] {
    run = [] {
      output_file_option(json_out, "--json");  // before any trial runs
      AblateOptions o;
      TrialSpec& t = o.trial;
      t.model = model_path.empty() ? default_model() : model_path;
      const Backend be = pick_backend(backend);
      t.backend = to_string(be);
      try {
        Workload::parse(workload);
      } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
      }
      t.workload = workload;
      t.plan = Plan::parse(plan).to_string();  // unknown names: PlanError, exit 2
      t.graphs = be == Backend::cuda && graphs == "on";
      t.pdl = pdl == "on";
      t.stop.max_seconds = max_seconds;
      t.stop.rel_half_width = rel;
      t.stop.min_reps = min_reps;
      t.timeout_seconds = timeout;
      t.cpus = cpus_option(cpus);
      o.roles = split_list(roles);
      std::vector<StepRole> step;
      try {  // before any trial runs: a typo is one line, exit 2
        step = step_roles(t.model, t.plan, t.workload, be, o.roles);
      } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("--roles: ") + e.what());
      }
      nlohmann::json device;
      if (be == Backend::cuda) {
        device = device_info_in_child(self_binary());
        t.peak_gbps = device.value("read_gbps", 0.0);
        std::cout << device.value("name", std::string("unknown GPU")) << ", driver "
                  << device.value("driver", std::string("?")) << ", stream read "
                  << fixed(t.peak_gbps, 0) << " GB/s, dependent node "
                  << fixed(device.value("chain_node_us", 0.0), 2) << " us\n";
      }
      std::cout << "model " << t.model << "\nplan " << (t.plan.empty() ? "reference" : t.plan)
                << ", " << t.workload << ", " << t.backend
                << (be == Backend::cuda
                        ? std::string(", graphs ") + (t.graphs ? "on" : "off") + ", pdl " + pdl
                        : std::string())
                << "\n";
      double whole_us = 0;
      const AblateReport report =
          run_ablate(o, step, [&](const TrialResult& trial, const AblateRow* r) {
            if (!r) {
              whole_us = us_per_token(trial);
              std::cout << "whole step: " << trial.status;
              if (trial.status == "ok")
                std::cout << ", " << fixed(trial.tokens_per_second, 1) << " tok/s, "
                          << fixed(whole_us, 1) << " us per token";
              std::cout << "\n";
              if (!trial.error.empty()) std::cout << "    " << trial.error << "\n";
              std::cout << "\n";
              print_header();
              return;
            }
            if (r->role.role == "(all)") std::cout << "\n";
            print_row(*r, whole_us);
            std::cout.flush();
          });
      std::cout << "\nsaved us: the whole step's time per token minus the step's with the role "
                   "hollow (+-: the two medians' 99% half-widths added). floor us: the role's "
                   "bytes at the stream-read bandwidth.\n";
      const TrialResult& again = report.whole_again;
      std::cout << "whole step again, last: " << again.status;
      if (again.status == "ok")
        std::cout << ", " << fixed(us_per_token(again), 1) << " us per token ("
                  << (report.drift() >= 0 ? "+" : "") << fixed(100 * report.drift(), 1)
                  << "% since the first; a change larger than the rows' +- means the host's "
                     "speed moved during the run)";
      std::cout << "\n";
      int failures =
          report.whole.status != "ok" || report.all.trial.status != "ok" || again.status != "ok";
      for (const AblateRow& r : report.rows) failures += r.trial.status != "ok";
      if (!json_out.empty()) {
        nlohmann::json j{{"model", t.model},
                         {"plan", t.plan},
                         {"workload", t.workload},
                         {"backend", t.backend},
                         {"graphs", t.graphs},
                         {"pdl", t.pdl},
                         {"device", device},
                         {"whole", to_json(report.whole)},
                         {"whole_again", to_json(report.whole_again)},
                         {"drift", report.drift()},
                         {"rows", nlohmann::json::array()},
                         {"all", row_json(report.all)}};
        for (const AblateRow& r : report.rows) j["rows"].push_back(row_json(r));
        std::ofstream f(json_out);
        f << j.dump(1) << "\n";
        if (!f) throw std::runtime_error("cannot write " + json_out);
      }
      return failures ? 1 : 0;
    };
  });
}

}  // namespace swapbench::cli
