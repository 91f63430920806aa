// Running a sweep into the results store.
#include "runner/sweep.h"

#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <ostream>
#include <set>
#include <sstream>

#include "baselines/store.h"
#include "harness/child_process.h"
#include "harness/equality.h"
#include "harness/nvml.h"
#include "runner/bench.h"
#include "runner/model/llama_model.h"
#include "runner/plan.h"
#include "runner/provenance.h"

namespace swapbench {
namespace {

struct Planned {
  TrialSpec spec;
  std::string key;  // plan|workload|graphs: unique in a run, the --resume identity
};

std::string trial_key(const std::string& plan, const std::string& workload, bool graphs) {
  return (plan.empty() ? "reference" : plan) + "|" + workload + "|" + (graphs ? "on" : "off");
}

std::string eta_text(double seconds) {
  std::ostringstream o;
  if (seconds >= 60)
    o << int(seconds / 60) << "m" << std::setw(2) << std::setfill('0') << int(seconds) % 60 << "s";
  else
    o << int(seconds) << "s";
  return o.str();
}

// "cpu: <model name>" from /proc/cpuinfo: CPU trials pair only with trials on the same CPU.
std::string cpu_device_name() {
  std::ifstream f("/proc/cpuinfo");
  for (std::string line; std::getline(f, line);)
    if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos)
      return "cpu: " + line.substr(line.find(':') + 2);
  return "cpu";
}

}  // namespace

std::string file_sha256(const std::string& path) {
  const std::string cmd = "sha256sum '" + path + "' 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) throw std::runtime_error("cannot run sha256sum");
  std::array<char, 128> buf{};
  std::string out;
  if (fgets(buf.data(), int(buf.size()), p)) out = buf.data();
  if (pclose(p) != 0 || out.size() < 64) throw std::runtime_error("sha256sum failed on " + path);
  return out.substr(0, 64);
}

SweepOutcome run_sweep(const SweepOptions& o, std::ostream& progress) {
  using clock = std::chrono::steady_clock;
  const auto backend = backend_from_string(o.backend);
  if (!backend) throw std::invalid_argument("unknown backend '" + o.backend + "'");
  auto model = LlamaModel::load(o.model);
  const std::string sha = file_sha256(o.model);
  const std::vector<std::string> plans = plan_sweep(*model, *backend, o.planner);

  // Every (plan, workload, graphs) in a fixed order; the shard takes a share of the
  // non-reference trials and always keeps the reference trials its verdicts need.
  std::vector<Planned> reference, others;
  for (const std::string& plan : plans)
    for (const std::string& wl : o.workloads)
      for (bool g : o.graphs) {
        Planned p;
        p.spec.model = o.model;
        p.spec.plan = plan;
        p.spec.workload = wl;
        p.spec.backend = o.backend;
        p.spec.graphs = g;
        p.spec.pdl = o.pdl;
        p.spec.stop = o.stop;
        p.spec.timeout_seconds = o.timeout_seconds;
        p.spec.taps_steps = o.taps_steps;
        p.spec.cpus = o.cpus;
        p.key = trial_key(plan, wl, g);
        (plan.empty() ? reference : others).push_back(p);
      }
  if (reference.size() + others.size() > o.max_trials)
    throw std::invalid_argument("the sweep has " +
                                std::to_string(reference.size() + others.size()) +
                                " trials, more than --max-trials " + std::to_string(o.max_trials) +
                                "; narrow --slots or --workloads, or raise the limit");
  std::vector<Planned> todo = reference;
  for (Planned& p : shard(others, o.shard_index, o.shard_count)) todo.push_back(p);

  const std::string binary = o.child_binary.empty() ? self_binary() : o.child_binary;
  const nlohmann::json device =
      *backend == Backend::cuda ? device_info_in_child(binary) : nlohmann::json::object();
  for (Planned& p : todo) p.spec.peak_gbps = device.value("read_gbps", 0.0);

  store::Store db = store::Store::open(o.db);
  SweepOutcome out;
  if (!o.resume.empty()) {
    std::optional<store::RunInfo> run;
    if (o.resume == "latest") {
      for (const store::RunInfo& r : db.runs())
        if (r.status != "complete") {
          run = r;
          break;
        }
    } else {
      run = db.find_run(o.resume);
    }
    if (!run) throw std::invalid_argument("no unfinished run to resume in " + o.db);
    out.run_uuid = run->uuid;
  } else {
    const Provenance prov = collect_provenance();
    store::RunInfo r;
    r.uuid = db.new_uuid();
    r.status = "running";
    r.git_commit = prov.git_commit;
    r.git_branch = prov.git_branch;
    r.git_dirty = prov.git_dirty;
    r.tag = o.tag;
    r.host = prov.host;
    r.tool_version = prov.tool_version;
    r.command_line = prov.command_line;
    r.backend = o.backend;
    if (*backend == Backend::cuda) {
      // The gate pairs on gpu_name and driver.
      r.gpu_name = device.value("name", "");
      r.gpu_uuid = device.value("uuid", "");
      r.gpu_sm = device.value("sm", "");
      r.driver = device.value("driver", "");
      r.cuda_runtime = device.value("cuda_runtime", "");
      r.launch_us = device.value("launch_us", 0.0);
      r.graph_node_us = device.value("graph_node_us", 0.0);
      r.chain_node_us = device.value("chain_node_us", 0.0);
    } else {
      r.gpu_name = cpu_device_name();
      r.driver = "-";
    }
    if (auto sample = nvml::sample(0))
      r.clocks = "sm " + std::to_string(sample->sm_clock_mhz) + " MHz, mem " +
                 std::to_string(sample->mem_clock_mhz) + " MHz, " +
                 std::to_string(sample->temperature_c) + " C at start";
    if (const char* name = std::getenv("SWAPBENCH_DEVICE_NAME")) r.gpu_name = name;
    db.begin_run(r);
    out.run_uuid = r.uuid;
  }
  db.add_model({sha, o.model, model->describe(),
                std::string(name(model->layers().empty() ? model->token_embd().type
                                                         : model->layers()[0].wq.type))});

  // Logits live beside the database, per run, so a resumed run still has its reference's.
  const std::filesystem::path logits_dir = std::filesystem::path(o.db + ".logits") / out.run_uuid;
  std::filesystem::create_directories(logits_dir);
  const size_t vocab = size_t(model->config().vocab);
  const bool tty = isatty(STDERR_FILENO) && &progress == &std::cerr;
  std::map<std::pair<std::string, bool>, TrialResult> refs;
  for (const store::TrialRow& row : db.trials(out.run_uuid)) {
    TrialResult r = result_from_json(row.result);
    if (r.spec.plan.empty()) refs[{r.spec.workload, r.spec.graphs}] = r;
  }
  const auto t0 = clock::now();
  size_t index = 0, done_now = 0;
  for (Planned& p : todo) {
    ++index;
    if (db.has_trial(out.run_uuid, p.key)) {
      ++out.skipped_as_done;
      continue;
    }
    p.spec.logits_out =
        (logits_dir / (std::to_string(std::hash<std::string>{}(p.key)) + ".f32")).string();
    const double elapsed = std::chrono::duration<double>(clock::now() - t0).count();
    const size_t remaining = todo.size() - index + 1;
    const std::string eta =
        done_now ? eta_text(elapsed / double(done_now) * double(remaining)) : "?";
    if (tty)
      progress << "\r[" << index << "/" << todo.size() << "] ETA " << eta << "  " << p.key
               << "\033[K" << std::flush;
    else
      progress << "[" << index << "/" << todo.size() << "] " << p.key << " (ETA " << eta << ")\n";
    TrialResult r = run_trial_in_child(p.spec, binary);
    const auto it = refs.find({p.spec.workload, p.spec.graphs});
    judge_equality(r, it == refs.end() ? nullptr : &it->second, vocab);
    if (p.spec.plan.empty()) refs[{p.spec.workload, p.spec.graphs}] = r;
    db.add_trial(out.run_uuid, p.key, sha, to_json(r));
    ++out.ran;
    ++done_now;
  }
  if (tty) progress << "\r\033[K";
  db.finish_run(out.run_uuid, "complete");
  for (const store::TrialRow& row : db.trials(out.run_uuid)) {
    out.trials.push_back(result_from_json(row.result));
    out.failures += out.trials.back().status != "ok";
  }
  return out;
}

void print_sweep_table(const SweepOutcome& s, std::ostream& out) {
  std::map<std::pair<std::string, bool>, double> ref;
  for (const TrialResult& r : s.trials)
    if (r.spec.plan.empty() && r.status == "ok")
      ref[{r.spec.workload, r.spec.graphs}] = r.tokens_per_second;
  std::vector<std::string> plans;
  for (const TrialResult& r : s.trials) plans.push_back(r.spec.plan);
  const int plan_w = int(plan_column_width(plans));
  out << "run " << s.run_uuid << ": " << s.trials.size() << " trials (" << s.ran << " run now, "
      << s.skipped_as_done << " already done), " << s.failures << " not ok\n\n"
      << std::left << std::setw(plan_w) << "plan" << std::setw(16) << "workload" << std::setw(7)
      << "graphs" << std::right << std::setw(10) << "tok/s" << std::setw(9) << "99% CI"
      << std::setw(9) << "vs ref" << std::setw(8) << "ratio" << std::setw(10) << "roofline"
      << "  " << std::left << std::setw(16) << "equality"
      << "status\n";
  std::map<std::pair<std::string, bool>, const TrialResult*> best;
  for (const TrialResult& r : s.trials) {
    std::ostringstream tps, ci, vs, ratio, roof;
    if (r.status == "ok" || r.status == "mismatch") {
      tps << std::fixed << std::setprecision(1) << r.tokens_per_second;
      if (const double p = roofline_pct(r); p > 0)
        roof << std::fixed << std::setprecision(1) << p << "%";
      ci << "±" << std::fixed << std::setprecision(2) << 100 * r.summary.relative_half_width()
         << "%";
      if (auto it = ref.find({r.spec.workload, r.spec.graphs});
          it != ref.end() && !r.spec.plan.empty()) {
        const double change = 100 * (r.tokens_per_second / it->second - 1);
        vs << (change >= 0 ? "+" : "") << std::fixed << std::setprecision(1) << change << "%";
      }
      if (r.spec.graphs)
        for (const TrialResult& off : s.trials)
          if (!off.spec.graphs && off.spec.plan == r.spec.plan &&
              off.spec.workload == r.spec.workload && off.status == "ok" &&
              off.tokens_per_second > 0)
            ratio << std::fixed << std::setprecision(2)
                  << r.tokens_per_second / off.tokens_per_second;
    }
    out << std::left << std::setw(plan_w) << (r.spec.plan.empty() ? "reference" : r.spec.plan)
        << std::setw(16) << r.spec.workload << std::setw(7) << (r.spec.graphs ? "on" : "off")
        << std::right << std::setw(10) << tps.str() << std::setw(9) << ci.str() << std::setw(9)
        << vs.str() << std::setw(8) << ratio.str() << std::setw(10) << roof.str() << "  "
        << std::left << std::setw(16)
        << r.equality << r.status << "\n";
    if (!r.error.empty()) out << "    " << r.error << "\n";
    const TrialResult*& b = best[{r.spec.workload, r.spec.graphs}];
    if (r.status == "ok" && r.equality == "bitwise" &&
        (!b || r.tokens_per_second > b->tokens_per_second))
      b = &r;
  }
  out << "\n";
  for (const auto& [key, b] : best)
    if (b)
      out << "fastest bitwise plan for " << key.first << ", graphs " << (key.second ? "on" : "off")
          << ": " << (b->spec.plan.empty() ? "reference" : b->spec.plan) << " (" << std::fixed
          << std::setprecision(1) << b->tokens_per_second << " tok/s)\n";
}

}  // namespace swapbench
