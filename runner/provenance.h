// Where a run came from: the code under test (git commit, branch, dirty flag of the source tree
// swapbench was built from), the host, the tool version and the command line.
#pragma once

#include <string>

namespace swapbench {

struct Provenance {
  std::string git_commit = "unknown", git_branch = "unknown";
  bool git_dirty = false;
  std::string host, tool_version, command_line;
};

// `command_line` is what the CLI recorded (record_command_line); git is asked about
// SWAPBENCH_SOURCE_DIR (or $SWAPBENCH_GIT_DIR); missing git gives "unknown", never an error.
Provenance collect_provenance();
void record_command_line(int argc, char** argv);

// Current UTC time, ISO 8601 with seconds: "2026-11-22T01:33:00Z".
std::string utc_now();

}  // namespace swapbench
