// Collecting provenance: git through popen (read-only queries), hostname, argv.
#include "runner/provenance.h"

#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace swapbench {
namespace {

std::string g_command_line;

std::string run_git(const std::string& dir, const std::string& args) {
  const std::string cmd = "git -C '" + dir + "' " + args + " 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return "";
  std::string out;
  std::array<char, 256> buf{};
  while (fgets(buf.data(), int(buf.size()), p)) out += buf.data();
  if (pclose(p) != 0) return "";
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

}  // namespace

void record_command_line(int argc, char** argv) {
  g_command_line.clear();
  for (int i = 0; i < argc; ++i) g_command_line += (i ? " " : "") + std::string(argv[i]);
}

Provenance collect_provenance() {
  Provenance p;
  const char* env = std::getenv("SWAPBENCH_GIT_DIR");
  const std::string dir = env ? env : SWAPBENCH_SOURCE_DIR;
  if (const std::string c = run_git(dir, "rev-parse HEAD"); !c.empty()) p.git_commit = c;
  if (const std::string b = run_git(dir, "rev-parse --abbrev-ref HEAD"); !b.empty())
    p.git_branch = b;
  p.git_dirty = !run_git(dir, "status --porcelain --untracked-files=no").empty();
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0) p.host = host;
  p.tool_version = SWAPBENCH_VERSION;
  p.command_line = g_command_line;
  return p;
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace swapbench
