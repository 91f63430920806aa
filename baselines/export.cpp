// Exports of the whole store: JSON (runs with their trials' full results) and CSV (one row per
// trial, for spreadsheets and quick plots).
#include <string>

#include "baselines/db.h"
#include "baselines/store.h"
#include "baselines/store_internal.h"

namespace swapbench::store {
namespace {

nlohmann::json run_json(const RunInfo& r) {
  return {{"uuid", r.uuid},
          {"started_at", r.started_at},
          {"finished_at", r.finished_at},
          {"status", r.status},
          {"git_commit", r.git_commit},
          {"git_branch", r.git_branch},
          {"git_dirty", r.git_dirty},
          {"tag", r.tag},
          {"host", r.host},
          {"gpu_name", r.gpu_name},
          {"gpu_uuid", r.gpu_uuid},
          {"gpu_sm", r.gpu_sm},
          {"driver", r.driver},
          {"cuda_runtime", r.cuda_runtime},
          {"clocks", r.clocks},
          {"tool_version", r.tool_version},
          {"command_line", r.command_line},
          {"backend", r.backend},
          {"launch_us", r.launch_us},
          {"graph_node_us", r.graph_node_us},
          {"chain_node_us", r.chain_node_us}};
}

// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. Plans contain
// commas (`rmsnorm=warp_shuffle,matvec=v3`).
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + '"';
}

// Shortest text that reads back as the same double; empty for SQL NULL.
std::string csv_number(const db::Stmt& s, int col) {
  return s.is_null(col) ? std::string() : nlohmann::json(s.f64(col)).dump();
}

}  // namespace

nlohmann::json Store::export_json() const {
  nlohmann::json out_runs = nlohmann::json::array();
  for (const RunInfo& r : runs()) {
    nlohmann::json jr = run_json(r);
    jr["trials"] = nlohmann::json::array();
    for (const TrialRow& t : trials(r.uuid))
      jr["trials"].push_back(
          {{"id", t.id}, {"key", t.key}, {"model_sha256", t.model_sha256}, {"result", t.result}});
    out_runs.push_back(std::move(jr));
  }
  return {{"schema_version", version_}, {"runs", std::move(out_runs)}};
}

std::string Store::export_csv() const {
  std::string out =
      "run,started_at,tag,gpu,plan,workload,graphs,status,tokens_per_second,median_ms,"
      "ci_lo_ms,ci_hi_ms,equality\n";
  db::Stmt s(db(), path_,
             "SELECT r.uuid, r.started_at, r.tag, r.gpu_name, t.plan, t.workload, t.graphs, "
             "t.status, t.tokens_per_second, t.median_ms, t.ci_lo_ms, t.ci_hi_ms, t.equality "
             "FROM trials t JOIN runs r ON r.uuid = t.run_uuid "
             "ORDER BY r.started_at DESC, r.rowid DESC, t.id");
  while (s.step()) {
    out += csv_field(s.text(0)) + ',' + csv_field(s.text(1)) + ',' + csv_field(s.text(2)) + ',' +
           csv_field(s.text(3)) + ',' + csv_field(s.text(4)) + ',' + csv_field(s.text(5)) + ',' +
           (s.i64(6) != 0 ? "on" : "off") + ',' + csv_field(s.text(7)) + ',' + csv_number(s, 8) +
           ',' + csv_number(s, 9) + ',' + csv_number(s, 10) + ',' + csv_number(s, 11) + ',' +
           csv_field(s.text(12)) + '\n';
  }
  return out;
}

}  // namespace swapbench::store
