// The schema as a list of migrations (baselines/SCHEMA.md documents every table) and opening a
// database: create, upgrade in place, or refuse without touching the file.
#include <algorithm>
#include <array>
#include <filesystem>
#include <string>

#include "baselines/db.h"
#include "baselines/store.h"
#include "baselines/store_internal.h"

namespace swapbench::store {
namespace {

// Migration i takes the schema from version i to i + 1. Append only: a released migration is
// never edited (databases in the field already ran it). Renaming a stored key is a migration.
constexpr std::array<const char*, 4> kMigrations = {
    // 1: runs, models, trials with every sample, per-slot times, baseline promotions.
    R"sql(
CREATE TABLE runs (
  uuid          TEXT PRIMARY KEY NOT NULL,
  started_at    TEXT NOT NULL,
  finished_at   TEXT NOT NULL DEFAULT '',
  status        TEXT NOT NULL CHECK (status IN ('running', 'complete', 'interrupted')),
  git_commit    TEXT NOT NULL DEFAULT '',
  git_branch    TEXT NOT NULL DEFAULT '',
  git_dirty     INTEGER NOT NULL DEFAULT 0 CHECK (git_dirty IN (0, 1)),
  tag           TEXT NOT NULL DEFAULT '',
  host          TEXT NOT NULL DEFAULT '',
  gpu_name      TEXT NOT NULL DEFAULT '',
  gpu_uuid      TEXT NOT NULL DEFAULT '',
  gpu_sm        TEXT NOT NULL DEFAULT '',
  driver        TEXT NOT NULL DEFAULT '',
  cuda_runtime  TEXT NOT NULL DEFAULT '',
  clocks        TEXT NOT NULL DEFAULT '',
  tool_version  TEXT NOT NULL DEFAULT '',
  command_line  TEXT NOT NULL DEFAULT '',
  backend       TEXT NOT NULL DEFAULT ''
);
CREATE TABLE models (
  sha256       TEXT PRIMARY KEY NOT NULL,
  path         TEXT NOT NULL DEFAULT '',
  description  TEXT NOT NULL DEFAULT '',
  quant        TEXT NOT NULL DEFAULT ''
);
CREATE TABLE trials (
  id                 INTEGER PRIMARY KEY,
  run_uuid           TEXT NOT NULL REFERENCES runs(uuid) ON DELETE CASCADE,
  key                TEXT NOT NULL,
  model_sha256       TEXT REFERENCES models(sha256),
  plan               TEXT NOT NULL,
  workload           TEXT NOT NULL,
  graphs             INTEGER NOT NULL CHECK (graphs IN (0, 1)),
  backend            TEXT NOT NULL,
  status             TEXT NOT NULL,
  error              TEXT NOT NULL DEFAULT '',
  reps               INTEGER NOT NULL DEFAULT 0,
  stop_reason        TEXT NOT NULL DEFAULT '',
  n_samples          INTEGER NOT NULL DEFAULT 0,
  median_ms          REAL,
  q1_ms              REAL,
  q3_ms              REAL,
  min_ms             REAL,
  max_ms             REAL,
  ci_lo_ms           REAL,
  ci_hi_ms           REAL,
  ci_coverage        REAL,
  ci_exact           INTEGER,
  rel_half_width     REAL,
  tokens_per_second  REAL NOT NULL DEFAULT 0,
  equality           TEXT NOT NULL DEFAULT '',
  healthy            INTEGER,
  health_json        TEXT NOT NULL DEFAULT '{}',
  result_json        TEXT NOT NULL,
  UNIQUE (run_uuid, key)
);
CREATE TABLE samples (
  trial_id  INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
  seq       INTEGER NOT NULL,
  ms        REAL NOT NULL,
  PRIMARY KEY (trial_id, seq)
) WITHOUT ROWID;
CREATE TABLE slot_times (
  trial_id     INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
  seq          INTEGER NOT NULL,
  slot         TEXT NOT NULL,
  variant      TEXT NOT NULL,
  calls        INTEGER NOT NULL DEFAULT 0,
  ms           REAL NOT NULL DEFAULT 0,
  share        REAL NOT NULL DEFAULT 0,
  bytes        REAL NOT NULL DEFAULT 0,
  gbps         REAL NOT NULL DEFAULT 0,
  pct_of_peak  REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (trial_id, seq)
) WITHOUT ROWID;
CREATE TABLE baseline_promotions (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL,
  run_uuid     TEXT NOT NULL REFERENCES runs(uuid),
  promoted_at  TEXT NOT NULL,
  note         TEXT NOT NULL DEFAULT '',
  UNIQUE (name, run_uuid, promoted_at)
);
)sql",
    // 2: gate decisions; indexes for the report's time-ordered and per-model queries.
    R"sql(
CREATE TABLE gate_decisions (
  id                 INTEGER PRIMARY KEY,
  baseline           TEXT NOT NULL,
  baseline_run_uuid  TEXT REFERENCES runs(uuid),
  run_uuid           TEXT NOT NULL REFERENCES runs(uuid),
  decided_at         TEXT NOT NULL,
  thresholds_json    TEXT NOT NULL DEFAULT '{}',
  verdict            TEXT NOT NULL,
  exit_code          INTEGER NOT NULL,
  details_json       TEXT NOT NULL DEFAULT '{}',
  UNIQUE (baseline, run_uuid, decided_at, verdict)
);
CREATE INDEX runs_by_started_at ON runs(started_at);
CREATE INDEX trials_by_model ON trials(model_sha256);
CREATE INDEX promotions_by_name ON baseline_promotions(name, promoted_at);
)sql",
    // 3: the host's launch costs at the start of a run (device-info): graphs-off times and the
    // graphs on/off ratio depend on them as much as on the kernels. 0: not measured.
    R"sql(
ALTER TABLE runs ADD COLUMN launch_us REAL NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN graph_node_us REAL NOT NULL DEFAULT 0;
)sql",
    // 4: the least a graph-replayed dependent launch costs on that host (device-info's chain
    // node: a full-grid kernel waiting under PDL for its predecessor's output); with launch_us
    // it bounds the graphs on/off ratio. 0: not measured.
    R"sql(
ALTER TABLE runs ADD COLUMN chain_node_us REAL NOT NULL DEFAULT 0;
)sql",
};

constexpr int kLatest = static_cast<int>(kMigrations.size());

void apply_migrations(sqlite3* c, const std::string& path, int from, int to) {
  for (int v = from; v < to; ++v) db::exec(c, path, kMigrations[static_cast<size_t>(v)]);
  // A pragma takes no bound parameter; `to` is this build's own constant, never input.
  db::exec(c, path, ("PRAGMA user_version = " + std::to_string(to)).c_str());
}

void set_pragmas(sqlite3* c, const std::string& path) {
  db::exec(c, path, "PRAGMA journal_mode = WAL");
  db::exec(c, path, "PRAGMA synchronous = NORMAL");
  db::exec(c, path, "PRAGMA foreign_keys = ON");
}

}  // namespace

namespace internal {

// Reads the schema version without writing anything; a file that is not a database (or whose
// first page is corrupt) fails here, before any pragma could rewrite its header.
int read_version(sqlite3* c, const std::string& path, int64_t* tables) {
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v2(
      c, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'", -1,
      &s, nullptr);
  if (rc == SQLITE_OK) {
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) *tables = sqlite3_column_int64(s, 0);
  }
  sqlite3_finalize(s);
  if (rc != SQLITE_ROW) {
    const int primary = rc & 0xff;
    if (primary == SQLITE_NOTADB) db::fail(path, c, "not a SQLite database");
    if (primary == SQLITE_CORRUPT) db::fail(path, c, "corrupt database");
    db::fail(path, c, "cannot read the schema");
  }
  return db::user_version(c, path);
}

void refuse_newer(const std::string& path, int version) {
  throw Error(path + ": database schema version " + std::to_string(version) +
              " is newer than this swapbench supports (" + std::to_string(kLatest) +
              "); use a newer swapbench");
}

}  // namespace internal

using internal::read_version;
using internal::refuse_newer;

int Store::latest_version() { return kLatest; }

Store::Store(std::string path, std::unique_ptr<sqlite3, ConnectionClose> conn, int version)
    : path_(std::move(path)),
      conn_(std::move(conn)),
      version_(version),
      rng_(std::random_device{}()) {}

Store Store::open(const std::string& path) {
  if (path.empty()) throw Error("(empty path): no database path given");
  db::Conn conn = db::open(path, false);
  sqlite3* c = conn.get();
  int64_t tables = 0;
  int version = read_version(c, path, &tables);
  if (version > kLatest) refuse_newer(path, version);
  if (version == 0 && tables > 0)
    throw Error(path + ": not a swapbench database (it has tables but no schema version)");
  set_pragmas(c, path);
  if (version < kLatest) {
    db::WriteTxn txn(c, path);
    version = db::user_version(c, path);  // another process may have migrated meanwhile
    if (version > kLatest) refuse_newer(path, version);
    if (version < kLatest) apply_migrations(c, path, version, kLatest);
    txn.commit();
    version = kLatest;
  }
  return Store(path, std::move(conn), version);
}

Store Store::open_read_only(const std::string& path) {
  if (path.empty()) throw Error("(empty path): no database path given");
  if (!std::filesystem::exists(path)) throw Error(path + ": no such file");
  db::Conn conn = db::open(path, true);
  int64_t tables = 0;
  const int version = read_version(conn.get(), path, &tables);
  if (version > kLatest) refuse_newer(path, version);
  if (version == 0)
    throw Error(path + (tables > 0 ? ": not a swapbench database (it has tables but no schema "
                                     "version)"
                                   : ": not a swapbench database (empty)"));
  return Store(path, std::move(conn), version);
}

namespace testing {

void create_at_version(const std::string& path, int version) {
  if (version < 0 || version > kLatest)
    throw Error(path + ": no schema version " + std::to_string(version));
  db::Conn conn = db::open(path, false);
  set_pragmas(conn.get(), path);
  db::WriteTxn txn(conn.get(), path);
  apply_migrations(conn.get(), path, 0, version);
  txn.commit();
}

void set_user_version(const std::string& path, int version) {
  db::Conn conn = db::open(path, false);
  db::exec(conn.get(), path, ("PRAGMA user_version = " + std::to_string(version)).c_str());
}

std::vector<std::string> tables(const std::string& path) {
  db::Conn conn = db::open(path, true);
  db::Stmt s(conn.get(), path,
             "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
             "ORDER BY name");
  std::vector<std::string> out;
  while (s.step()) out.push_back(s.text(0));
  return out;
}

int64_t row_count(const std::string& path, const std::string& table) {
  // A table name cannot be a bound parameter: only names the database itself lists are used.
  const std::vector<std::string> known = tables(path);
  if (std::find(known.begin(), known.end(), table) == known.end())
    throw Error(path + ": no table '" + table + "'");
  db::Conn conn = db::open(path, true);
  return db::scalar_i64(conn.get(), path, ("SELECT count(*) FROM \"" + table + "\"").c_str());
}

void add_v1_run(const std::string& path, const std::string& uuid, const std::string& started_at) {
  db::Conn conn = db::open(path, false);
  db::Stmt s(conn.get(), path,
             "INSERT INTO runs (uuid, started_at, status, host, backend) "
             "VALUES (?, ?, 'complete', 'old-box', 'cuda')");
  s.bind_all(uuid, started_at);
  s.run();
}

void add_v3_run(const std::string& path, const std::string& uuid, const std::string& started_at,
                double launch_us, double graph_node_us) {
  db::Conn conn = db::open(path, false);
  db::Stmt s(conn.get(), path,
             "INSERT INTO runs (uuid, started_at, status, host, backend, launch_us, graph_node_us) "
             "VALUES (?, ?, 'complete', 'old-box', 'cuda', ?, ?)");
  s.bind_all(uuid, started_at, launch_us, graph_node_us);
  s.run();
}

}  // namespace testing
}  // namespace swapbench::store
