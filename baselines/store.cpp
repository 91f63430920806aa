// The store's everyday API: runs, models, trials (one transaction each), baselines and gate
// decisions. Opening and the schema are in schema.cpp; merge, check and exports in merge.cpp
// and export.cpp.
#include "baselines/store.h"

#include <cstdio>

#include "baselines/db.h"
#include "baselines/store_internal.h"

namespace swapbench::store {

void ConnectionClose::operator()(sqlite3* c) const { sqlite3_close_v2(c); }

namespace internal {

RunInfo read_run(const db::Stmt& s, int version) {
  RunInfo r;
  int i = 0;
  r.uuid = s.text(i++);
  r.started_at = s.text(i++);
  r.finished_at = s.text(i++);
  r.status = s.text(i++);
  r.git_commit = s.text(i++);
  r.git_branch = s.text(i++);
  r.git_dirty = s.i64(i++) != 0;
  r.tag = s.text(i++);
  r.host = s.text(i++);
  r.gpu_name = s.text(i++);
  r.gpu_uuid = s.text(i++);
  r.gpu_sm = s.text(i++);
  r.driver = s.text(i++);
  r.cuda_runtime = s.text(i++);
  r.clocks = s.text(i++);
  r.tool_version = s.text(i++);
  r.command_line = s.text(i++);
  r.backend = s.text(i++);
  if (version >= 3) {
    r.launch_us = s.f64(i++);
    r.graph_node_us = s.f64(i++);
  }
  if (version >= 4) r.chain_node_us = s.f64(i++);
  return r;
}

nlohmann::json parse_json(const std::string& path, const std::string& text,
                          const std::string& what) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": stored " + what + " is not valid JSON: " + e.what());
  }
}

}  // namespace internal

namespace {

bool valid_run_status(const std::string& s) {
  return s == "running" || s == "complete" || s == "interrupted";
}

std::optional<double> number(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j.at(key).is_number()) return std::nullopt;
  return j.at(key).get<double>();
}

std::optional<BaselinePromotion> read_promotion(db::Stmt& s) {
  if (!s.step()) return std::nullopt;
  return BaselinePromotion{s.text(0), s.text(1), s.text(2), s.text(3)};
}

bool run_exists(sqlite3* c, const std::string& path, const std::string& uuid) {
  db::Stmt s(c, path, "SELECT 1 FROM runs WHERE uuid = ?");
  s.bind_all(uuid);
  return s.step();
}

}  // namespace

std::string Store::new_uuid() {
  uint64_t hi = rng_(), lo = rng_();
  hi = (hi & ~0xf000ULL) | 0x4000ULL;              // version 4
  lo = (lo & ~(0xc0ULL << 56)) | (0x80ULL << 56);  // variant 10xx
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08llx-%04llx-%04llx-%04llx-%012llx",
                static_cast<unsigned long long>(hi >> 32),
                static_cast<unsigned long long>((hi >> 16) & 0xffff),
                static_cast<unsigned long long>(hi & 0xffff),
                static_cast<unsigned long long>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

// ---- runs ------------------------------------------------------------------------------------

void Store::begin_run(const RunInfo& r) {
  if (r.uuid.empty()) throw Error(path_ + ": begin_run needs a uuid (see new_uuid())");
  const std::string status = r.status.empty() ? "running" : r.status;
  if (!valid_run_status(status)) throw Error(path_ + ": invalid run status '" + status + "'");
  db::WriteTxn txn(db(), path_);
  if (run_exists(db(), path_, r.uuid)) throw Error(path_ + ": run " + r.uuid + " already exists");
  db::Stmt s(db(), path_,
             "INSERT INTO runs (uuid, started_at, finished_at, status, git_commit, git_branch, "
             "git_dirty, tag, host, gpu_name, gpu_uuid, gpu_sm, driver, cuda_runtime, clocks, "
             "tool_version, command_line, backend, launch_us, graph_node_us, chain_node_us) "
             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind_all(r.uuid, r.started_at.empty() ? db::now_utc() : r.started_at, r.finished_at, status,
             r.git_commit, r.git_branch, r.git_dirty, r.tag, r.host, r.gpu_name, r.gpu_uuid,
             r.gpu_sm, r.driver, r.cuda_runtime, r.clocks, r.tool_version, r.command_line,
             r.backend, r.launch_us, r.graph_node_us, r.chain_node_us);
  s.run();
  txn.commit();
}

void Store::finish_run(const std::string& uuid, const std::string& status) {
  if (!valid_run_status(status)) throw Error(path_ + ": invalid run status '" + status + "'");
  db::WriteTxn txn(db(), path_);
  db::Stmt s(db(), path_, "UPDATE runs SET status = ?, finished_at = ? WHERE uuid = ?");
  s.bind_all(status, db::now_utc(), uuid);
  s.run();
  if (sqlite3_changes(db()) == 0) throw Error(path_ + ": no run " + uuid);
  txn.commit();
}

std::vector<RunInfo> Store::runs() const {
  const std::string sql = std::string("SELECT ") + internal::run_columns(version_) +
                          " FROM runs ORDER BY started_at DESC, rowid DESC";
  db::Stmt s(db(), path_, sql.c_str());
  std::vector<RunInfo> out;
  while (s.step()) out.push_back(internal::read_run(s, version_));
  return out;
}

std::optional<RunInfo> Store::find_run(const std::string& uuid_or_latest) const {
  if (uuid_or_latest.empty()) return std::nullopt;
  const std::string select =
      std::string("SELECT ") + internal::run_columns(version_) + " FROM runs ";
  if (uuid_or_latest == "latest") {
    const std::string sql =
        select + "WHERE status = 'complete' ORDER BY started_at DESC, rowid DESC LIMIT 1";
    db::Stmt s(db(), path_, sql.c_str());
    if (!s.step()) return std::nullopt;
    return internal::read_run(s, version_);
  }
  const std::string exact = select + "WHERE uuid = ?";
  db::Stmt e(db(), path_, exact.c_str());
  e.bind_all(uuid_or_latest);
  if (e.step()) return internal::read_run(e, version_);
  const std::string prefix = select + "WHERE substr(uuid, 1, length(?1)) = ?1 LIMIT 2";
  db::Stmt p(db(), path_, prefix.c_str());
  p.bind(1, uuid_or_latest);
  if (!p.step()) return std::nullopt;
  RunInfo found = internal::read_run(p, version_);
  if (p.step())
    throw Error(path_ + ": run prefix '" + uuid_or_latest + "' is ambiguous (several runs match)");
  return found;
}

// ---- models ----------------------------------------------------------------------------------

void Store::add_model(const ModelInfo& m) {
  if (m.sha256.empty()) throw Error(path_ + ": add_model needs a sha256");
  db::WriteTxn txn(db(), path_);
  db::Stmt s(db(), path_,
             "INSERT OR IGNORE INTO models (sha256, path, description, quant) VALUES (?, ?, ?, ?)");
  s.bind_all(m.sha256, m.path, m.description, m.quant);
  s.run();
  txn.commit();
}

std::optional<ModelInfo> Store::model(const std::string& sha256) const {
  db::Stmt s(db(), path_, "SELECT sha256, path, description, quant FROM models WHERE sha256 = ?");
  s.bind_all(sha256);
  if (!s.step()) return std::nullopt;
  return ModelInfo{s.text(0), s.text(1), s.text(2), s.text(3)};
}

// ---- trials ----------------------------------------------------------------------------------

std::string Store::trial_key(const nlohmann::json& r) {
  const nlohmann::json spec =
      r.is_object() ? r.value("spec", nlohmann::json::object()) : nlohmann::json::object();
  return spec.value("workload", std::string()) +
         "|graphs=" + (spec.value("graphs", true) ? "on" : "off") + "|" +
         spec.value("plan", std::string());
}

int64_t Store::add_trial(const std::string& run_uuid, const std::string& key,
                         const std::string& model_sha256, const nlohmann::json& r) {
  if (!r.is_object() || !r.contains("spec") || !r.at("spec").is_object())
    throw Error(path_ + ": trial result has no 'spec' object");
  const std::string k = key.empty() ? trial_key(r) : key;
  std::string plan, workload, backend, status, error, stop_reason, equality;
  bool graphs = true;
  int64_t reps = 0;
  std::vector<double> samples_ms;
  nlohmann::json slots, health, summary;
  try {
    const nlohmann::json& spec = r.at("spec");
    plan = spec.value("plan", "");
    workload = spec.value("workload", "");
    backend = spec.value("backend", "");
    graphs = spec.value("graphs", true);
    status = r.at("status").get<std::string>();
    error = r.value("error", "");
    stop_reason = r.value("stop_reason", "");
    equality = r.value("equality", "");
    reps = r.value("reps", int64_t{0});
    samples_ms = r.value("samples_ms", std::vector<double>{});
    slots = r.value("slots", nlohmann::json::array());
    health = r.value("health", nlohmann::json::object());
    summary = r.value("summary", nlohmann::json());
  } catch (const nlohmann::json::exception& e) {
    throw Error(path_ + ": malformed trial result: " + e.what());
  }
  std::optional<bool> healthy;
  if (health.is_object() && health.contains("healthy") && health.at("healthy").is_boolean())
    healthy = health.at("healthy").get<bool>();
  std::optional<bool> ci_exact;
  if (summary.is_object() && summary.contains("ci_exact") && summary.at("ci_exact").is_boolean())
    ci_exact = summary.at("ci_exact").get<bool>();
  const std::optional<std::string> model =
      model_sha256.empty() ? std::nullopt : std::optional<std::string>(model_sha256);

  db::WriteTxn txn(db(), path_);
  if (!run_exists(db(), path_, run_uuid)) throw Error(path_ + ": no run " + run_uuid);
  if (has_trial(run_uuid, k))
    throw Error(path_ + ": run " + run_uuid + " already has a trial with key '" + k + "'");
  if (model && !this->model(*model))
    throw Error(path_ + ": unknown model sha256 " + *model + " (add_model first)");
  db::Stmt t(
      db(), path_,
      "INSERT INTO trials (run_uuid, key, model_sha256, plan, workload, graphs, backend, "
      "status, error, reps, stop_reason, n_samples, median_ms, q1_ms, q3_ms, min_ms, "
      "max_ms, ci_lo_ms, ci_hi_ms, ci_coverage, ci_exact, rel_half_width, "
      "tokens_per_second, equality, healthy, health_json, result_json) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  t.bind_all(run_uuid, k, model, plan, workload, graphs, backend, status, error, reps, stop_reason,
             static_cast<int64_t>(samples_ms.size()), number(summary, "median_ms"),
             number(summary, "q1_ms"), number(summary, "q3_ms"), number(summary, "min_ms"),
             number(summary, "max_ms"), number(summary, "ci_lo_ms"), number(summary, "ci_hi_ms"),
             number(summary, "ci_coverage"), ci_exact, number(summary, "rel_half_width"),
             number(r, "tokens_per_second").value_or(0.0), equality, healthy, health.dump(),
             r.dump());
  t.run();
  const int64_t id = sqlite3_last_insert_rowid(db());

  db::Stmt s(db(), path_, "INSERT INTO samples (trial_id, seq, ms) VALUES (?, ?, ?)");
  for (size_t i = 0; i < samples_ms.size(); ++i) {
    s.bind_all(id, static_cast<int64_t>(i), samples_ms[i]);
    s.run();
    s.reset();
  }
  if (slots.is_array()) {
    db::Stmt sl(db(), path_,
                "INSERT INTO slot_times (trial_id, seq, slot, variant, calls, ms, share, bytes, "
                "gbps, pct_of_peak) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    int64_t seq = 0;
    for (const nlohmann::json& x : slots) {
      if (!x.is_object()) continue;
      sl.bind_all(id, seq++, x.value("slot", ""), x.value("variant", ""),
                  static_cast<int64_t>(number(x, "calls").value_or(0)), number(x, "ms").value_or(0),
                  number(x, "share").value_or(0), number(x, "bytes").value_or(0),
                  number(x, "gbps").value_or(0), number(x, "pct_of_peak").value_or(0));
      sl.run();
      sl.reset();
    }
  }
  txn.commit();
  return id;
}

bool Store::has_trial(const std::string& run_uuid, const std::string& key) const {
  db::Stmt s(db(), path_, "SELECT 1 FROM trials WHERE run_uuid = ? AND key = ?");
  s.bind_all(run_uuid, key);
  return s.step();
}

std::vector<TrialRow> Store::trials(const std::string& run_uuid) const {
  db::Stmt s(db(), path_,
             "SELECT id, run_uuid, key, plan, workload, graphs, status, equality, "
             "coalesce(model_sha256, ''), tokens_per_second, result_json "
             "FROM trials WHERE run_uuid = ? ORDER BY id");
  s.bind_all(run_uuid);
  std::vector<TrialRow> out;
  while (s.step()) {
    out.push_back(
        {s.i64(0), s.text(1), s.text(2), s.text(3), s.text(4), s.i64(5) != 0, s.text(6), s.text(7),
         s.text(8), s.f64(9),
         internal::parse_json(path_, s.text(10), "result of trial " + std::to_string(s.i64(0)))});
  }
  return out;
}

std::vector<double> Store::samples(int64_t trial_id) const {
  db::Stmt s(db(), path_, "SELECT ms FROM samples WHERE trial_id = ? ORDER BY seq");
  s.bind_all(trial_id);
  std::vector<double> out;
  while (s.step()) out.push_back(s.f64(0));
  return out;
}

// ---- baselines and gate decisions ------------------------------------------------------------

void Store::promote(const std::string& baseline, const std::string& run_uuid,
                    const std::string& note) {
  if (baseline.empty()) throw Error(path_ + ": a baseline needs a name");
  const std::optional<RunInfo> run = find_run(run_uuid);
  if (!run) throw Error(path_ + ": no run '" + run_uuid + "' to promote");
  if (run->status != "complete")
    throw Error(path_ + ": run " + run->uuid + " is " + run->status +
                "; only a complete run can be promoted");
  db::WriteTxn txn(db(), path_);
  db::Stmt s(db(), path_,
             "INSERT INTO baseline_promotions (name, run_uuid, promoted_at, note) "
             "VALUES (?, ?, ?, ?)");
  s.bind_all(baseline, run->uuid, db::now_utc(), note);
  s.run();
  txn.commit();
}

std::optional<BaselinePromotion> Store::baseline(const std::string& name) const {
  db::Stmt s(db(), path_,
             "SELECT name, run_uuid, promoted_at, note FROM baseline_promotions WHERE name = ? "
             "ORDER BY promoted_at DESC, id DESC LIMIT 1");
  s.bind_all(name);
  return read_promotion(s);
}

std::vector<BaselinePromotion> Store::baseline_history(const std::string& name) const {
  db::Stmt s(db(), path_,
             "SELECT name, run_uuid, promoted_at, note FROM baseline_promotions WHERE name = ? "
             "ORDER BY promoted_at, id");
  s.bind_all(name);
  std::vector<BaselinePromotion> out;
  while (auto p = read_promotion(s)) out.push_back(*p);
  return out;
}

std::vector<std::string> Store::baselines() const {
  db::Stmt s(db(), path_, "SELECT DISTINCT name FROM baseline_promotions ORDER BY name");
  std::vector<std::string> out;
  while (s.step()) out.push_back(s.text(0));
  return out;
}

void Store::add_gate_decision(const std::string& baseline, const std::string& run_uuid,
                              const nlohmann::json& thresholds, const std::string& verdict,
                              int exit_code, const nlohmann::json& details) {
  const std::optional<BaselinePromotion> current = this->baseline(baseline);
  const std::optional<std::string> baseline_run =
      current ? std::optional<std::string>(current->run_uuid) : std::nullopt;
  db::WriteTxn txn(db(), path_);
  if (!run_exists(db(), path_, run_uuid)) throw Error(path_ + ": no run " + run_uuid);
  db::Stmt s(db(), path_,
             "INSERT INTO gate_decisions (baseline, baseline_run_uuid, run_uuid, decided_at, "
             "thresholds_json, verdict, exit_code, details_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind_all(baseline, baseline_run, run_uuid, db::now_utc(), thresholds.dump(), verdict, exit_code,
             details.dump());
  s.run();
  txn.commit();
}

namespace {

std::vector<GateDecision> read_gate_decisions(db::Stmt& s, const std::string& path) {
  std::vector<GateDecision> out;
  while (s.step()) {
    out.push_back({s.i64(0), s.text(1), s.text(2), s.text(3), s.text(4),
                   internal::parse_json(path, s.text(5), "gate thresholds"), s.text(6),
                   static_cast<int>(s.i64(7)),
                   internal::parse_json(path, s.text(8), "gate details")});
  }
  return out;
}

constexpr const char* kGateColumns =
    "SELECT id, baseline, coalesce(baseline_run_uuid, ''), run_uuid, decided_at, "
    "thresholds_json, verdict, exit_code, details_json FROM gate_decisions ";

}  // namespace

std::vector<GateDecision> Store::gate_decisions(const std::string& run_uuid) const {
  if (version_ < 2) return {};  // a read-only older file has no gate_decisions table
  const std::string sql = std::string(kGateColumns) + "WHERE run_uuid = ? ORDER BY decided_at, id";
  db::Stmt s(db(), path_, sql.c_str());
  s.bind_all(run_uuid);
  return read_gate_decisions(s, path_);
}

std::vector<GateDecision> Store::all_gate_decisions() const {
  if (version_ < 2) return {};
  const std::string sql = std::string(kGateColumns) + "ORDER BY decided_at, id";
  db::Stmt s(db(), path_, sql.c_str());
  return read_gate_decisions(s, path_);
}

}  // namespace swapbench::store
