// The options several subcommands share (--backend, --workloads, --graphs, --plan, --cpus, the
// stopping rule's, the files written when done), read one way everywhere: a bad value is a
// UsageError (one line, exit 2) before anything runs.
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "harness/cpu_affinity.h"
#include "runner/cli/commands.h"
#include "runner/engine/engine.h"
#include "runner/plan.h"
#include "runner/workload.h"

namespace swapbench::cli {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

Backend pick_backend(const std::string& name) {
  if (name == "auto") return cuda_available() ? Backend::cuda : Backend::cpu;
  if (auto b = backend_from_string(name)) return *b;
  throw UsageError("unknown backend '" + name + "' (cpu, cuda, auto)");
}

std::vector<std::string> workloads_option(const std::string& text) {
  const std::vector<std::string> out = split_list(text);
  if (out.empty()) throw UsageError("--workloads names no workload (e.g. tg128,pp512)");
  for (const std::string& w : out) {
    try {
      Workload::parse(w);
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
  }
  return out;
}

std::vector<bool> graphs_option(const std::string& text, Backend backend) {
  std::vector<bool> out;
  for (const std::string& g : split_list(text)) {
    if (g != "on" && g != "off")
      throw UsageError("--graphs takes on, off or on,off, not '" + g + "'");
    out.push_back(g == "on");
  }
  if (out.empty()) throw UsageError("--graphs takes on, off or on,off, not '" + text + "'");
  if (backend == Backend::cpu) return {false};  // graphs mean nothing on the CPU
  return out;
}

std::vector<std::string> checked_plans(const std::vector<std::string>& plans, Backend backend) {
  for (const std::string& p : plans) Bindings check(Plan::parse(p), backend);
  return plans;
}

void add_stop_options(CLI::App* c, double& max_seconds, double& rel_half_width, int32_t& min_reps,
                      double& timeout) {
  c->add_option("--max-seconds", max_seconds, "Time cap for each trial's timing loop")
      ->check(CLI::NonNegativeNumber);
  c->add_option("--rel-half-width", rel_half_width,
                "Stop when the 99% CI half-width <= this x median")
      ->check(CLI::Range(1e-6, 1.0));
  c->add_option("--min-reps", min_reps, "Repetitions before the stopping rule is consulted")
      ->check(CLI::Range(1, 1000000));
  c->add_option("--timeout", timeout, "Seconds before a trial's child process is killed")
      ->check(CLI::PositiveNumber);
}

std::string cpus_option(const std::string& text) {
  if (text.empty()) return text;
  try {
    const std::vector<int> cpus = affinity::parse_cpu_list(text);
    affinity::check_allowed(cpus);
    return affinity::format_cpu_list(cpus);
  } catch (const std::exception& e) {
    throw UsageError(std::string("--cpus: ") + e.what());
  }
}

void output_file_option(const std::string& path, const std::string& option) {
  if (path.empty()) return;
  namespace fs = std::filesystem;
  if (fs::is_directory(path)) throw UsageError(option + " " + path + ": is a directory");
  const fs::path parent = fs::path(path).parent_path();
  const fs::path dir = parent.empty() ? fs::path(".") : parent;
  if (!fs::is_directory(dir))
    throw UsageError(option + " " + path + ": no directory " + dir.string());
  if (::access(dir.c_str(), W_OK) != 0)
    throw UsageError(option + " " + path + ": cannot write in " + dir.string());
}

}  // namespace swapbench::cli
