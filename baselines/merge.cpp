// Maintenance: merging databases from several machines into one, and checking a database.
#include <filesystem>
#include <string>
#include <vector>

#include "baselines/db.h"
#include "baselines/store.h"
#include "baselines/store_internal.h"

namespace swapbench::store {
namespace {

// Every trials column but the id (ids are renumbered by the output database).
constexpr const char* kTrialColumns =
    "run_uuid, key, model_sha256, plan, workload, graphs, backend, status, error, reps, "
    "stop_reason, n_samples, median_ms, q1_ms, q3_ms, min_ms, max_ms, ci_lo_ms, ci_hi_ms, "
    "ci_coverage, ci_exact, rel_half_width, tokens_per_second, equality, healthy, health_json, "
    "result_json";

// Validates an input with its own read-only connection; returns its schema version.
int input_version(const std::string& in) {
  if (!std::filesystem::exists(in)) throw Error(in + ": no such file");
  db::Conn conn = db::open(in, true);
  int64_t tables = 0;
  const int version = internal::read_version(conn.get(), in, &tables);
  if (version > Store::latest_version()) internal::refuse_newer(in, version);
  if (version == 0) throw Error(in + ": not a swapbench database (no schema version)");
  return version;
}

// ATTACH for the lifetime of the object (ATTACH cannot run inside a transaction).
class Attached {
 public:
  Attached(sqlite3* c, const std::string& out_path, const std::string& in) : c_(c) {
    db::Stmt s(c, out_path, "ATTACH DATABASE ? AS src");
    s.bind_all(in);
    s.run();
  }
  ~Attached() { sqlite3_exec(c_, "DETACH DATABASE src", nullptr, nullptr, nullptr); }
  Attached(const Attached&) = delete;
  Attached& operator=(const Attached&) = delete;

 private:
  sqlite3* c_;
};

// `version`: the input's schema; before 3 its runs lack the launch costs, before 4 the dependent
// node (they stay 0).
void copy_run(sqlite3* c, const std::string& path, const std::string& uuid, int version) {
  const char* cols = internal::run_columns(version);
  const std::string run_sql = std::string("INSERT INTO main.runs (") + cols + ") SELECT " + cols +
                              " FROM src.runs WHERE uuid = ?";
  db::Stmt run(c, path, run_sql.c_str());
  run.bind_all(uuid);
  run.run();

  const std::string trial_sql = std::string("INSERT INTO main.trials (") + kTrialColumns +
                                ") SELECT " + kTrialColumns + " FROM src.trials WHERE id = ?";
  db::Stmt ids(c, path, "SELECT id FROM src.trials WHERE run_uuid = ? ORDER BY id");
  db::Stmt trial(c, path, trial_sql.c_str());
  db::Stmt samples(c, path,
                   "INSERT INTO main.samples (trial_id, seq, ms) "
                   "SELECT ?, seq, ms FROM src.samples WHERE trial_id = ?");
  db::Stmt slots(c, path,
                 "INSERT INTO main.slot_times (trial_id, seq, slot, variant, calls, ms, share, "
                 "bytes, gbps, pct_of_peak) SELECT ?, seq, slot, variant, calls, ms, share, "
                 "bytes, gbps, pct_of_peak FROM src.slot_times WHERE trial_id = ?");
  ids.bind_all(uuid);
  while (ids.step()) {
    const int64_t old_id = ids.i64(0);
    trial.bind_all(old_id);
    trial.run();
    trial.reset();
    const int64_t new_id = sqlite3_last_insert_rowid(c);
    samples.bind_all(new_id, old_id);
    samples.run();
    samples.reset();
    slots.bind_all(new_id, old_id);
    slots.run();
    slots.reset();
  }
}

void merge_one(Store& out, sqlite3* c, const std::string& in) {
  const std::string& path = out.path();
  std::error_code ec;
  if (std::filesystem::equivalent(in, path, ec)) throw Error(in + ": is the merge output itself");
  const int version = input_version(in);
  Attached attached(c, path, in);
  db::WriteTxn txn(c, path);
  db::exec(c, path,
           "INSERT OR IGNORE INTO main.models (sha256, path, description, quant) "
           "SELECT sha256, path, description, quant FROM src.models");
  std::vector<std::string> fresh;
  {
    db::Stmt s(c, path,
               "SELECT uuid FROM src.runs WHERE uuid NOT IN (SELECT uuid FROM main.runs) "
               "ORDER BY started_at, rowid");
    while (s.step()) fresh.push_back(s.text(0));
  }
  for (const std::string& uuid : fresh) copy_run(c, path, uuid, version);
  db::exec(c, path,
           "INSERT OR IGNORE INTO main.baseline_promotions (name, run_uuid, promoted_at, note) "
           "SELECT name, run_uuid, promoted_at, note FROM src.baseline_promotions "
           "ORDER BY promoted_at, id");
  if (version >= 2) {
    db::exec(c, path,
             "INSERT OR IGNORE INTO main.gate_decisions (baseline, baseline_run_uuid, run_uuid, "
             "decided_at, thresholds_json, verdict, exit_code, details_json) "
             "SELECT baseline, baseline_run_uuid, run_uuid, decided_at, thresholds_json, "
             "verdict, exit_code, details_json FROM src.gate_decisions ORDER BY decided_at, id");
  }
  txn.commit();
}

}  // namespace

void Store::merge(const std::vector<std::string>& inputs, const std::string& output) {
  // Every input is checked whole before the output is opened: a corrupt, foreign or newer file
  // among them leaves the output as it was (not half merged) or not made at all.
  for (const std::string& in : inputs) check(in);
  Store out = Store::open(output);
  for (const std::string& in : inputs) merge_one(out, out.db(), in);
}

std::string Store::check(const std::string& path) {
  if (!std::filesystem::exists(path)) throw Error(path + ": no such file");
  db::Conn conn = db::open(path, true);
  sqlite3* c = conn.get();
  int64_t tables = 0;
  const int version = internal::read_version(c, path, &tables);
  if (version > latest_version()) internal::refuse_newer(path, version);
  if (version == 0) throw Error(path + ": not a swapbench database (no schema version)");
  {
    db::Stmt s(c, path, "PRAGMA integrity_check");
    std::vector<std::string> problems;
    while (s.step())
      if (s.text(0) != "ok") problems.push_back(s.text(0));
    if (!problems.empty())
      db::fail(path, nullptr,
               "integrity check failed (" + std::to_string(problems.size()) +
                   " problems): " + problems.front());
  }
  {
    db::Stmt s(c, path, "PRAGMA foreign_key_check");
    if (s.step())
      db::fail(path, nullptr,
               "foreign key check failed: " + s.text(0) + " row " + std::to_string(s.i64(1)) +
                   " refers to a missing " + s.text(2));
  }
  {
    // The JSON every other command parses: one text that does not parse stops report, gate and
    // export, so check names it (a trial's result must be an object with its spec).
    db::Stmt s(c, path, "SELECT id, key, result_json, health_json FROM trials ORDER BY id");
    while (s.step()) {
      const std::string trial = "trial " + std::to_string(s.i64(0)) + " ('" + s.text(1) + "')";
      const nlohmann::json result = internal::parse_json(path, s.text(2), "result of " + trial);
      if (!result.is_object() || !result.contains("spec") || !result["spec"].is_object())
        db::fail(path, nullptr, "stored result of " + trial + " is not an object with a spec");
      internal::parse_json(path, s.text(3), "health of " + trial);
    }
    db::Stmt g(c, path, "SELECT id, thresholds_json, details_json FROM gate_decisions");
    while (g.step()) {
      const std::string decision = "gate decision " + std::to_string(g.i64(0));
      internal::parse_json(path, g.text(1), "thresholds of " + decision);
      internal::parse_json(path, g.text(2), "details of " + decision);
    }
  }
  const int64_t runs = db::scalar_i64(c, path, "SELECT count(*) FROM runs");
  const int64_t trials = db::scalar_i64(c, path, "SELECT count(*) FROM trials");
  std::string msg = "ok: schema " + std::to_string(version) + ", " + std::to_string(runs) +
                    " runs, " + std::to_string(trials) + " trials";
  if (version < latest_version())
    msg += " (older than " + std::to_string(latest_version()) + ": upgraded on next open)";
  return msg;
}

}  // namespace swapbench::store
