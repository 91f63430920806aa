// The SQLite results store: runs with their provenance, trials with every sample, per-slot times
// and host health, models, baselines with their promotion history, and gate decisions. One file
// (default swapbench.db), WAL mode, versioned schema (baselines/SCHEMA.md), one transaction per
// trial. All SQL of the project lives in baselines/, always with bound parameters.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

struct sqlite3;

namespace swapbench::store {

// Every failure of the store: one line, "<db path>: what".
struct Error : std::runtime_error {
  using runtime_error::runtime_error;
};

// One invocation of swapbench and where it ran. Times are ISO-8601 UTC
// ("2025-01-31T12:00:00.123456Z"); begin_run fills started_at when empty.
struct RunInfo {
  std::string uuid, started_at, finished_at, status /*running|complete|interrupted*/, git_commit,
      git_branch;
  bool git_dirty = false;
  std::string tag, host, gpu_name, gpu_uuid, gpu_sm, driver, cuda_runtime, clocks, tool_version,
      command_line, backend;
  // device-info at the start: one empty kernel launched eagerly / as a graph node, us; 0: not
  // measured (CPU runs, databases from before schema 3).
  double launch_us = 0, graph_node_us = 0;
  // device-info's dependent node: a full-grid kernel reading its predecessor's output, per node
  // of a replayed graph, us; with launch_us it bounds the graphs on/off ratio. 0: not measured
  // (CPU runs, databases from before schema 4).
  double chain_node_us = 0;
};

// A GGUF model, identified by the sha256 of its bytes.
struct ModelInfo {
  std::string sha256, path, description, quant;
};

// One stored trial: the indexed columns plus the full result JSON (runner/trial_json.cpp).
struct TrialRow {
  int64_t id = 0;
  std::string run_uuid, key, plan, workload;
  bool graphs = true;
  std::string status, equality, model_sha256;
  double tokens_per_second = 0;
  nlohmann::json result;
};

// One promotion of a run to a named baseline; the newest is the baseline's current run.
struct BaselinePromotion {
  std::string name, run_uuid, promoted_at, note;
};

// One recorded gate decision (run against a baseline).
struct GateDecision {
  int64_t id = 0;
  std::string baseline, baseline_run_uuid, run_uuid, decided_at;
  nlohmann::json thresholds;
  std::string verdict;
  int exit_code = 0;
  nlohmann::json details;
};

// Closes the connection (defined in store.cpp, so that sqlite3.h stays out of this header).
struct ConnectionClose {
  void operator()(sqlite3* c) const;
};

// One connection to one database file. Not shared between threads: open one per thread or
// process; concurrent writers wait for each other (busy timeout, BEGIN IMMEDIATE, retries).
class Store {
 public:
  // Creates the file, or upgrades an older schema in place (one transaction), or refuses a newer
  // schema, a file that is not a database, or a database that is not swapbench's, leaving the
  // file untouched. Throws Error.
  static Store open(const std::string& path);
  // Opens an existing database for reading only: never creates, upgrades or writes the file (an
  // older schema is read as it is: its missing tables read as empty). Refuses what open refuses,
  // and a missing file. Writing through it throws Error. For reports.
  static Store open_read_only(const std::string& path);
  static int latest_version();  // schema version this build writes

  int version() const { return version_; }
  const std::string& path() const { return path_; }
  std::string new_uuid();  // random v4 UUID

  // Runs. begin_run inserts the run (status defaults to "running", uuid to a new one).
  void begin_run(const RunInfo& r);
  void finish_run(const std::string& uuid, const std::string& status);  // sets finished_at = now
  std::vector<RunInfo> runs() const;                                    // newest first
  // "latest" = the newest complete run; otherwise a UUID or a unique UUID prefix (an ambiguous
  // prefix throws Error). nullopt when nothing matches.
  std::optional<RunInfo> find_run(const std::string& uuid_or_latest) const;

  void add_model(const ModelInfo& m);  // idempotent on sha256 (the first description is kept)
  std::optional<ModelInfo> model(const std::string& sha256) const;

  // Stores one trial result (docs/trial-json.md) in ONE transaction: the trial row, every
  // sample in order, the per-slot times and the health JSON. An empty key becomes
  // trial_key(result); an empty model_sha256 is stored as none. Returns the trial id.
  int64_t add_trial(const std::string& run_uuid, const std::string& key,
                    const std::string& model_sha256, const nlohmann::json& trial_result);
  bool has_trial(const std::string& run_uuid, const std::string& key) const;  // for --resume
  std::vector<TrialRow> trials(const std::string& run_uuid) const;            // in insert order
  std::vector<double> samples(int64_t trial_id) const;                        // in order
  // The default pairing key of a result: "workload|graphs|plan" (graphs as on/off).
  static std::string trial_key(const nlohmann::json& trial_result);

  // Baselines. promote accepts what find_run accepts and only a complete run.
  void promote(const std::string& baseline, const std::string& run_uuid, const std::string& note);
  std::optional<BaselinePromotion> baseline(const std::string& name) const;        // current
  std::vector<BaselinePromotion> baseline_history(const std::string& name) const;  // oldest first
  std::vector<std::string> baselines() const;                                      // sorted

  // Gate decisions; the baseline's current run is recorded beside its name.
  void add_gate_decision(const std::string& baseline, const std::string& run_uuid,
                         const nlohmann::json& thresholds, const std::string& verdict,
                         int exit_code, const nlohmann::json& details);
  std::vector<GateDecision> gate_decisions(const std::string& run_uuid) const;
  std::vector<GateDecision> all_gate_decisions() const;  // every run's, oldest first

  // Maintenance.
  // Copies every input into output (created when missing). Idempotent: runs are keyed by UUID
  // and a run already present is skipped whole; models by sha256; promotions and gate
  // decisions deduplicated. Inputs are opened read-only and never modified, and each passes
  // check() before the output is opened: one bad input refuses the whole merge (Error), leaving
  // the output as it was.
  static void merge(const std::vector<std::string>& inputs, const std::string& output);
  // "ok: schema N, R runs, T trials" (read-only), or throws Error: not a database, integrity or
  // foreign-key failure, newer schema, or a stored JSON text (a trial's result or health, a gate
  // decision's thresholds or details) that does not parse, naming its trial or decision.
  static std::string check(const std::string& path);
  // {schema_version, runs: [{run fields..., trials: [{id, key, model_sha256, result}]}]}
  nlohmann::json export_json() const;
  // One row per trial: run, started_at, tag, gpu, plan, workload, graphs, status,
  // tokens_per_second, median_ms, ci_lo_ms, ci_hi_ms, equality (RFC 4180 quoting).
  std::string export_csv() const;

 private:
  Store(std::string path, std::unique_ptr<sqlite3, ConnectionClose> conn, int version);
  sqlite3* db() const { return conn_.get(); }

  std::string path_;
  std::unique_ptr<sqlite3, ConnectionClose> conn_;
  int version_ = 0;
  std::mt19937_64 rng_;
};

// For tests of the upgrade and refusal paths only (SQL stays in baselines/).
namespace testing {
void create_at_version(const std::string& path, int version);  // first `version` migrations
void set_user_version(const std::string& path, int version);
std::vector<std::string> tables(const std::string& path);  // sorted table names
int64_t row_count(const std::string& path, const std::string& table);
// A complete run with only the columns of schema 1 and 2, into a file at either version.
void add_v1_run(const std::string& path, const std::string& uuid, const std::string& started_at);
// A complete run with the columns of schema 3 (the eager and graph-node launch costs).
void add_v3_run(const std::string& path, const std::string& uuid, const std::string& started_at,
                double launch_us, double graph_node_us);
}  // namespace testing

}  // namespace swapbench::store
