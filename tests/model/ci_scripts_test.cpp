// The CI scripts users wire into their jobs, run as a job would run them, on the CPU engine and
// a generated tiny model: ci/nightly.sh promotes its first run, gates each later run (exactly
// that run) against it, and gates nothing when its sweep made no run.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "runner/model/model_gen.h"
#include "support/test_support.h"

namespace swapbench {
namespace {

using test::run_command;
using test::swapbench_binary;

class CiScripts : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir;
    generate_model(dir_->file("tiny.gguf").string(),
                   {.shape = "tiny", .quant = DType::q8_0, .seed = 3});
  }
  static void TearDownTestSuite() { delete dir_; }

  // ci/nightly.sh with the tiny model, this build and a database in the temp dir.
  static test::CommandResult nightly(const std::string& workloads) {
    const auto& d = dir_->path();
    return run_command("cd '" + d.string() + "' && SWAPBENCH=" + swapbench_binary() +
                       " MODEL=tiny.gguf DB=n.db SUMMARY=summary.md WORKLOADS=" + workloads +
                       " bash '" SWAPBENCH_SOURCE_DIR "/ci/nightly.sh'");
  }
  static std::string baseline_main() {
    return run_command(swapbench_binary() + " baseline show main --db '" +
                       dir_->file("n.db").string() + "'")
        .out;
  }
  static inline test::TempDir* dir_ = nullptr;
};

std::string run_named(const std::string& out) {  // the sweep's last line: "run <uuid> in <db>"
  std::smatch m;
  static const std::regex line("(^|\n)run ([0-9a-f-]{36}) in ");
  return std::regex_search(out, m, line) ? m[2].str() : "";
}

TEST_F(CiScripts, NightlyPromotesItsFirstRunThenGatesEachLaterRunAgainstIt) {
  const auto first = nightly("tg4");
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  const std::string run1 = run_named(first.out);
  ASSERT_FALSE(run1.empty()) << first.out;
  EXPECT_NE(first.out.find("promoting run " + run1), std::string::npos) << first.out;
  EXPECT_NE(baseline_main().find(run1), std::string::npos) << baseline_main();

  const auto second = nightly("tg4");
  // 0 pass or 1 regression: the CPU's timing is the host's to decide; 2 or 3 would be a fault.
  EXPECT_TRUE(second.exit_code == 0 || second.exit_code == 1) << second.out << second.err;
  const std::string run2 = run_named(second.out);
  ASSERT_FALSE(run2.empty()) << second.out;
  EXPECT_NE(run2, run1);
  EXPECT_NE(
      second.out.find("gate main (run " + run1.substr(0, 8) + ") vs run " + run2.substr(0, 8)),
      std::string::npos)
      << second.out;
  const auto summary = test::read_bytes(dir_->file("summary.md"));
  const std::string md(summary.begin(), summary.end());
  EXPECT_NE(md.find("| reference \\| tg4 \\| graphs off |"), std::string::npos) << md;
  EXPECT_NE(baseline_main().find(run1), std::string::npos) << "the gate moved the baseline";

  // A sweep refused before it made a run (a misspelt workload): exit 2, and no gate of the
  // latest run in its place.
  const auto refused = nightly("tgx");
  EXPECT_EQ(refused.exit_code, 2) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("the sweep made no run"), std::string::npos) << refused.err;
  EXPECT_EQ(refused.out.find("gate main"), std::string::npos) << refused.out;
}

}  // namespace
}  // namespace swapbench
