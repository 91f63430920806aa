// Pieces shared by the store's source files (internal to baselines/).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "baselines/db.h"
#include "baselines/store.h"

namespace swapbench::store::internal {

// The runs columns in RunInfo order, for SELECT lists read by read_run.
inline constexpr const char* kRunColumns =
    "uuid, started_at, finished_at, status, git_commit, git_branch, git_dirty, tag, host, "
    "gpu_name, gpu_uuid, gpu_sm, driver, cuda_runtime, clocks, tool_version, command_line, "
    "backend";

// Reads the schema version and the number of tables without writing anything: a file that is
// not a database (or whose first page is corrupt) fails here with a one-line Error.
int read_version(sqlite3* c, const std::string& path, int64_t* tables);
[[noreturn]] void refuse_newer(const std::string& path, int version);

RunInfo read_run(const db::Stmt& s, int first = 0);
nlohmann::json parse_json(const std::string& path, const std::string& text, const char* what);

}  // namespace swapbench::store::internal
