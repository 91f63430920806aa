// The database-facing subcommands: `gate`, `baseline promote|list|show`, `db merge|check|export`.
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "baselines/gate.h"
#include "baselines/store.h"
#include "runner/cli/commands.h"
#include "runner/paired.h"
#include "runner/trial.h"

namespace swapbench::cli {
namespace {

store::RunInfo require_run(const store::Store& db, const std::string& which) {
  auto r = db.find_run(which);
  if (!r) throw UsageError("no run '" + which + "' in " + db.path());
  return *r;
}

// The strictest equality class the plan's non-reference variants declare.
std::string declared_class(const TrialResult& r) {
  const auto backend = backend_from_string(r.spec.backend);
  std::string declared = "bitwise";
  for (const auto& [slot, names] : r.variants) {
    const SlotInfo* s = Registry::instance().slot(slot);
    if (!s || !backend) continue;
    std::stringstream ss(names);
    for (std::string name; std::getline(ss, name, '+');) {
      if (name == s->reference(*backend)) continue;
      const Variant* v = Registry::instance().find(slot, name);
      if (v && v->info.equality == Equality::reassociates) declared = "reassociates";
    }
  }
  return declared;
}

std::vector<gate::Trial> gate_trials(const store::Store& db, const store::RunInfo& run) {
  std::vector<gate::Trial> out;
  for (const store::TrialRow& row : db.trials(run.uuid)) {
    TrialResult r;
    try {
      r = result_from_json(row.result);
    } catch (const std::exception& e) {  // name the row: `db check` finds only what does not parse
      throw std::runtime_error(db.path() + ": trial " + std::to_string(row.id) + " ('" + row.key +
                               "'): " + e.what());
    }
    gate::Trial t;
    t.model_sha256 = row.model_sha256;
    t.plan = r.spec.plan;
    t.workload = r.spec.workload;
    t.gpu_name = run.gpu_name;
    t.driver = run.driver;
    t.graphs = r.spec.graphs;
    t.status = r.status;
    t.error = r.error;
    t.equality = r.equality;
    t.declared = declared_class(r);
    t.samples_ms = db.samples(row.id);
    t.tokens_per_second = r.tokens_per_second;
    t.healthy = !r.health.sampled || r.health.healthy;
    t.evidence = r.health.evidence;
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace

namespace {

void print_gate(const gate::Result& r, const std::string& headline) {
  std::cout << headline << ": " << r.summary << "\n";
  for (const gate::Finding& f : r.findings)
    if (f.failed || f.error || f.note || f.warning_only)
      std::cout << (f.error          ? "  error: "
                    : f.warning_only ? "  warning: "
                    : f.failed       ? "  FAIL: "
                                     : "  note: ")
                << f.label << ": " << f.detail << "\n";
}

}  // namespace

void add_gate(CLI::App& app, Action& run) {
  auto* c = app.add_subcommand(
      "gate",
      "Compare a run against a baseline: exit 0 pass, 1 regression, 2 error, 3 not comparable");
  static std::string baseline, run_id = "latest", thresholds_path, markdown_path,
                               db = "swapbench.db";
  static std::string paired, model_path, workloads = "tg128", graphs = "on,off", backend = "auto";
  static std::vector<std::string> plans;
  static int rounds = 5;
  static double max_seconds = 2.0;
  static bool json = false;
  c->add_option("--baseline", baseline, "Baseline name (see `baseline promote`)");
  c->add_option("--run", run_id, "Run to judge: UUID (or prefix) or latest");
  c->add_option("--thresholds", thresholds_path, "Thresholds JSON (ci/thresholds.example.json)");
  c->add_option("--markdown", markdown_path, "Write the PR-comment summary here");
  c->add_option("--db", db, "Results database");
  c->add_flag("--json", json, "Print the decision as JSON");
  c->add_option("--paired", paired,
                "Paired mode: a swapbench built from the base commit; runs it and this build "
                "alternately (A B A B ...) and gates on the pooled samples");
  c->add_option("--model,-m", model_path, "Paired mode: GGUF model (default as for run)");
  c->add_option("--plan", plans, "Paired mode: plans to compare (repeatable; default reference)");
  c->add_option("--workloads,-w", workloads, "Paired mode: comma-separated workloads");
  c->add_option("--graphs", graphs, "Paired mode: on, off or on,off");
  c->add_option("--backend", backend, "Paired mode: cpu, cuda or auto");
  c->add_option("--rounds", rounds, "Paired mode: A B rounds per trial")->check(CLI::Range(1, 100));
  c->add_option("--max-seconds", max_seconds, "Paired mode: timing cap of each child trial")
      ->check(CLI::NonNegativeNumber);
  c->callback([&run] {
    run = [] {
      // The exit code is the verdict's, and 1 is a regression: a bad thresholds file or an
      // unreadable database is an error (2), never a regression.
      try {
        output_file_option(markdown_path, "--markdown");  // before any trial runs
        gate::Thresholds t;
        if (!thresholds_path.empty()) t = gate::Thresholds::load(thresholds_path);
        gate::Result r;
        std::string headline;
        if (!paired.empty()) {
          if (!std::filesystem::exists(paired)) throw UsageError("no base binary at " + paired);
          PairedOptions o;
          o.base_binary = paired;
          o.model = model_path.empty() ? default_model() : model_path;
          const Backend be = pick_backend(backend);
          o.backend = to_string(be);
          if (!plans.empty()) o.plans = checked_plans(plans, be);
          o.workloads = workloads_option(workloads);
          o.graphs = graphs_option(graphs, be);
          o.rounds = rounds;
          o.max_seconds = max_seconds;
          const PairedOutcome p = run_paired(o);
          r = gate::evaluate(p.base, p.head, t);
          headline = "paired gate " + paired + " (A) vs this build (B), " + std::to_string(rounds) +
                     " rounds";
          for (size_t i = 0; i < p.head.size(); ++i)
            if (!p.equality[i].empty())
              std::cout << "equality B vs A, " << p.head[i].label() << ": " << p.equality[i]
                        << "\n";
        } else {
          if (baseline.empty())
            throw UsageError("gate needs --baseline NAME (or --paired BASE_BINARY)");
          store::Store s = store::Store::open(db);
          const auto promoted = s.baseline(baseline);
          if (!promoted) throw UsageError("no baseline '" + baseline + "' in " + db);
          const store::RunInfo base = require_run(s, promoted->run_uuid);
          const store::RunInfo cand = require_run(s, run_id);
          r = gate::evaluate(gate_trials(s, base), gate_trials(s, cand), t);
          s.add_gate_decision(baseline, cand.uuid, t.to_json(), gate::to_string(r.verdict),
                              gate::exit_code(r.verdict), r.to_json());
          headline = "gate " + baseline + " (run " + base.uuid.substr(0, 8) + ") vs run " +
                     cand.uuid.substr(0, 8);
        }
        if (!markdown_path.empty()) {
          std::ofstream f(markdown_path);
          f << r.markdown();
          if (!f) throw std::runtime_error("cannot write " + markdown_path);
        }
        if (json)
          std::cout << r.to_json().dump(2) << "\n";
        else
          print_gate(r, headline);
        return gate::exit_code(r.verdict);
      } catch (const std::exception& e) {
        throw ExitError(e.what(), 2);
      }
    };
  });
}

void add_baseline(CLI::App& app, Action& run) {
  auto* c = app.add_subcommand("baseline", "Promote, list and show named baselines");
  c->require_subcommand(1);
  static std::string db = "swapbench.db", name, run_id = "latest", note;
  auto* promote = c->add_subcommand("promote", "Make a run the baseline NAME");
  promote->add_option("name", name, "Baseline name, e.g. main")->required();
  promote->add_option("--run", run_id, "Run UUID (or prefix) or latest");
  promote->add_option("--note", note, "Why this run");
  promote->add_option("--db", db, "Results database");
  promote->callback([&run] {
    run = [] {
      store::Store s = store::Store::open(db);
      const store::RunInfo r = require_run(s, run_id);
      s.promote(name, r.uuid, note);
      std::cout << "baseline " << name << " -> run " << r.uuid << " (" << r.started_at << ", "
                << r.git_commit.substr(0, 12) << ")\n";
      return 0;
    };
  });
  auto* list = c->add_subcommand("list", "List baselines");
  list->add_option("--db", db, "Results database");
  list->callback([&run] {
    run = [] {
      store::Store s = store::Store::open(db);
      for (const std::string& b : s.baselines()) {
        const auto p = s.baseline(b);
        std::cout << std::left << std::setw(20) << b << p->run_uuid << "  " << p->promoted_at
                  << "\n";
      }
      return 0;
    };
  });
  auto* show = c->add_subcommand("show", "Show a baseline and its promotion history");
  show->add_option("name", name, "Baseline name")->required();
  show->add_option("--db", db, "Results database");
  show->callback([&run] {
    run = [] {
      store::Store s = store::Store::open(db);
      const auto history = s.baseline_history(name);
      if (history.empty()) throw UsageError("no baseline '" + name + "' in " + db);
      for (const auto& p : history)
        std::cout << p.promoted_at << "  run " << p.run_uuid
                  << (p.note.empty() ? "" : "  " + p.note) << "\n";
      const store::RunInfo r = require_run(s, history.back().run_uuid);
      std::cout << "current: " << r.uuid << " tag '" << r.tag << "' " << r.gpu_name << " driver "
                << r.driver << " commit " << r.git_commit << (r.git_dirty ? " (dirty)" : "") << ", "
                << s.trials(r.uuid).size() << " trials\n";
      return 0;
    };
  });
}

void add_db(CLI::App& app, Action& run) {
  auto* c = app.add_subcommand("db", "Merge, check and export results databases");
  c->require_subcommand(1);
  static std::vector<std::string> inputs;
  static std::string output, file = "swapbench.db";
  static bool as_json = false, as_csv = false;
  auto* merge = c->add_subcommand("merge", "Merge databases (idempotent: runs keyed by UUID)");
  merge->add_option("inputs", inputs, "Databases to merge")->required();
  merge->add_option("-o,--output", output, "Merged database (created or extended)")->required();
  merge->callback([&run] {
    run = [] {
      store::Store::merge(inputs, output);
      std::cout << store::Store::check(output) << "\n";
      return 0;
    };
  });
  auto* check = c->add_subcommand("check", "Integrity and schema version");
  check->add_option("file", file, "Database");
  check->callback([&run] {
    run = [] {
      std::cout << store::Store::check(file) << "\n";
      return 0;
    };
  });
  auto* exp = c->add_subcommand("export", "Export runs and trials");
  exp->add_option("file", file, "Database");
  exp->add_flag("--json", as_json, "JSON (default)");
  exp->add_flag("--csv", as_csv, "CSV, one row per trial");
  exp->callback([&run] {
    run = [] {
      store::Store s = store::Store::open(file);
      if (as_csv)
        std::cout << s.export_csv();
      else
        std::cout << s.export_json().dump(1) << "\n";
      return 0;
    };
  });
}

}  // namespace swapbench::cli
