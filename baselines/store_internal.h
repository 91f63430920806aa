// Pieces shared by the store's source files (internal to baselines/).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "baselines/db.h"
#include "baselines/store.h"

namespace swapbench::store::internal {

// The runs columns in RunInfo order, for SELECT lists read by read_run (run_columns).
#define SB_RUN_COLUMNS_V1                                                                  \
  "uuid, started_at, finished_at, status, git_commit, git_branch, git_dirty, tag, host, "  \
  "gpu_name, gpu_uuid, gpu_sm, driver, cuda_runtime, clocks, tool_version, command_line, " \
  "backend"
#define SB_RUN_COLUMNS_V3 SB_RUN_COLUMNS_V1 ", launch_us, graph_node_us"
inline constexpr const char* kRunColumns = SB_RUN_COLUMNS_V3 ", chain_node_us";
// Those a database before schema 4 / 3 has: a read-only store and merge read older files as
// they are.
inline constexpr const char* kRunColumnsV3 = SB_RUN_COLUMNS_V3;
inline constexpr const char* kRunColumnsV1 = SB_RUN_COLUMNS_V1;
#undef SB_RUN_COLUMNS_V3
#undef SB_RUN_COLUMNS_V1
inline const char* run_columns(int version) {
  return version >= 4 ? kRunColumns : version >= 3 ? kRunColumnsV3 : kRunColumnsV1;
}

// Reads the schema version and the number of tables without writing anything: a file that is
// not a database (or whose first page is corrupt) fails here with a one-line Error.
int read_version(sqlite3* c, const std::string& path, int64_t* tables);
[[noreturn]] void refuse_newer(const std::string& path, int version);

// A row of run_columns(version): the launch costs stay 0 before schema 3, the dependent node
// before schema 4.
RunInfo read_run(const db::Stmt& s, int version);
nlohmann::json parse_json(const std::string& path, const std::string& text,
                          const std::string& what);

}  // namespace swapbench::store::internal
