// The nightly/PR flow on the CPU with a generated tiny model, through the real CLI: sweeps into
// SQLite, baselines, the gate's exit codes (A/A pass, injected slowdown = 1 naming the trial,
// nothing paired = 2), kill -9 then --resume, two sweeps into one database at once, merge
// idempotence.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sys/wait.h>
#include <nlohmann/json.hpp>
#include <thread>

#include "runner/model/model_gen.h"
#include "support/test_support.h"

namespace swapbench {
namespace {

using test::run_command;

class StoreFlow : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir;
    model_ = dir_->file("tiny.gguf").string();
    generate_model(model_, {.shape = "tiny", .quant = DType::q4_1, .seed = 4});
    plans_ = dir_->file("plans.txt").string();
    std::ofstream(plans_) << "rmsnorm=test_maybe_slow\nrmsnorm=cpu_lanes\n";
    // CPU timing of 0.1 ms steps on a shared 2-core CI machine drifts by tens of percent
    // between runs under load: these flows gate at 60%, so only a real slowdown (the injected
    // one is ~40x) can fail them, and an A/A run cannot.
    thresholds_ = dir_->file("thresholds.json").string();
    std::ofstream(thresholds_) << R"({"version": 1, "decode_drop": 0.6, "prefill_drop": 0.6})";
  }
  static void TearDownTestSuite() { delete dir_; }

  static std::string sweep(const std::string& db, const std::string& extra = "",
                           const std::string& env = "", const std::string& workloads = "tg6") {
    return env + " " + test::faulty_binary() + " sweep --backend cpu -m '" + model_ +
           "' --planner file --plans-file '" + plans_ + "' -w " + workloads +
           " --max-seconds 0.3 --db '" + db + "' " + extra;
  }
  static nlohmann::json export_db(const std::string& db) {
    const auto r = run_command(test::swapbench_binary() + " db export '" + db + "' --json");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out).at("runs");
  }
  static size_t trial_count(const std::string& db) {
    size_t n = 0;
    for (const auto& run : export_db(db)) n += run["trials"].size();
    return n;
  }
  static inline test::TempDir* dir_ = nullptr;
  static inline std::string model_, plans_, thresholds_;
};

TEST_F(StoreFlow, AaSweepsPassTheGate) {
  const std::string db = dir_->file("aa.db").string();
  ASSERT_EQ(run_command(sweep(db, "--tag nightly")).exit_code, 0);
  ASSERT_EQ(run_command(test::swapbench_binary() + " baseline promote main --db '" + db + "'").exit_code, 0);
  ASSERT_EQ(run_command(sweep(db, "--tag nightly")).exit_code, 0);
  const auto g = run_command(test::swapbench_binary() + " gate --baseline main --db '" + db +
                             "' --thresholds '" + thresholds_ + "'");
  EXPECT_EQ(g.exit_code, 0) << g.out << g.err;
  EXPECT_NE(g.out.find("pass"), std::string::npos) << g.out;
}

TEST_F(StoreFlow, InjectedSlowdownFailsTheGateAndNamesTheTrial) {
  const std::string db = dir_->file("slow.db").string();
  ASSERT_EQ(run_command(sweep(db)).exit_code, 0);
  ASSERT_EQ(run_command(test::swapbench_binary() + " baseline promote main --db '" + db + "'").exit_code, 0);
  ASSERT_EQ(run_command(sweep(db, "", "SWAPBENCH_TEST_SLOW=1")).exit_code, 0);
  const std::string md = dir_->file("slow.md").string();
  const auto g = run_command(test::swapbench_binary() + " gate --baseline main --db '" + db +
                             "' --thresholds '" + thresholds_ + "' --markdown '" + md + "'");
  EXPECT_EQ(g.exit_code, 1) << g.out << g.err;
  EXPECT_NE(g.out.find("rmsnorm=test_maybe_slow | tg6"), std::string::npos) << g.out;
  const auto b = test::read_bytes(md);
  EXPECT_NE(std::string(b.begin(), b.end()).find("test_maybe_slow"), std::string::npos);
}

TEST_F(StoreFlow, NothingPairedIsAnError) {
  const std::string db = dir_->file("unpaired.db").string();
  ASSERT_EQ(run_command(sweep(db)).exit_code, 0);
  ASSERT_EQ(run_command(test::swapbench_binary() + " baseline promote main --db '" + db + "'").exit_code, 0);
  ASSERT_EQ(run_command(sweep(db, "", "", "tg3")).exit_code, 0);
  const auto g = run_command(test::swapbench_binary() + " gate --baseline main --db '" + db + "'");
  EXPECT_EQ(g.exit_code, 2) << g.out << g.err;
}

TEST_F(StoreFlow, SweepLargerThanMaxTrialsIsRefusedBeforeRunning) {
  const std::string db = dir_->file("big.db").string();
  const auto r = run_command(sweep(db, "--max-trials 2"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("more than --max-trials 2"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(db)) << "nothing may be written for a refused sweep";
}

TEST_F(StoreFlow, AnotherDeviceIsNotComparable) {
  const std::string db = dir_->file("devices.db").string();
  ASSERT_EQ(run_command(sweep(db, "", "SWAPBENCH_DEVICE_NAME=host-a")).exit_code, 0);
  ASSERT_EQ(run_command(test::swapbench_binary() + " baseline promote main --db '" + db + "'").exit_code, 0);
  ASSERT_EQ(run_command(sweep(db, "", "SWAPBENCH_DEVICE_NAME=host-b")).exit_code, 0);
  const auto g = run_command(test::swapbench_binary() + " gate --baseline main --db '" + db + "'");
  EXPECT_EQ(g.exit_code, 3) << g.out << g.err;
  EXPECT_NE(g.out.find("host-a"), std::string::npos) << g.out;
}

TEST_F(StoreFlow, KillNineThenResumeCompletesWithoutLossOrDuplicates) {
  const std::string db = dir_->file("resume.db").string();
  // Enough work that the kill lands mid-sweep: 3 plans x 3 workloads.
  const std::string cmd = sweep(db, "", "", "tg6,tg5,tg4");
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", ("exec " + cmd + " >/dev/null 2>&1").c_str(), nullptr);
    _exit(127);
  }
  for (int i = 0; i < 300 && (!std::filesystem::exists(db) || trial_count(db) < 2); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  const nlohmann::json before = export_db(db);
  ASSERT_EQ(before.size(), 1u);
  const size_t stored = before[0]["trials"].size();
  ASSERT_GE(stored, 2u);
  ASSERT_LT(stored, 9u) << "the sweep finished before the kill; nothing was tested";

  const auto r = run_command(sweep(db, "--resume", "", "tg6,tg5,tg4"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json after = export_db(db);
  ASSERT_EQ(after.size(), 1u) << "resume must continue the same run";
  ASSERT_EQ(after[0]["trials"].size(), 9u);
  std::set<std::string> keys;
  for (const auto& t : after[0]["trials"]) keys.insert(t["key"].get<std::string>());
  EXPECT_EQ(keys.size(), 9u) << "no duplicate trials";
  for (size_t i = 0; i < stored; ++i)
    EXPECT_EQ(after[0]["trials"][i]["result"], before[0]["trials"][i]["result"]);
}

TEST_F(StoreFlow, TwoSweepsIntoOneDatabaseAtOnceBothComplete) {
  const std::string db = dir_->file("concurrent.db").string();
  int a = -1, b = -1;
  std::thread t1([&] { a = run_command(sweep(db, "--tag a")).exit_code; });
  std::thread t2([&] { b = run_command(sweep(db, "--tag b")).exit_code; });
  t1.join();
  t2.join();
  EXPECT_EQ(a, 0);
  EXPECT_EQ(b, 0);
  const nlohmann::json runs = export_db(db);
  ASSERT_EQ(runs.size(), 2u);
  for (const auto& run : runs) EXPECT_EQ(run["trials"].size(), 3u);
}

TEST_F(StoreFlow, MergingTwiceEqualsMergingOnce) {
  const std::string a = dir_->file("m1.db").string(), b = dir_->file("m2.db").string();
  const std::string out = dir_->file("merged.db").string();
  ASSERT_EQ(run_command(sweep(a)).exit_code, 0);
  ASSERT_EQ(run_command(sweep(b)).exit_code, 0);
  const std::string merge = test::swapbench_binary() + " db merge '" + a + "' '" + b + "' -o '" + out + "'";
  ASSERT_EQ(run_command(merge).exit_code, 0);
  const nlohmann::json once = export_db(out);
  ASSERT_EQ(run_command(merge).exit_code, 0);
  EXPECT_EQ(export_db(out), once);
  EXPECT_EQ(once.size(), 2u);
  const auto check = run_command(test::swapbench_binary() + " db check '" + out + "'");
  EXPECT_EQ(check.exit_code, 0);
  EXPECT_NE(check.out.find("ok"), std::string::npos) << check.out;
}

TEST_F(StoreFlow, PairedGatePassesTheSameBuildAndCatchesASlowerHead) {
  // The "base build" is the same binary run without SWAPBENCH_TEST_SLOW; the head runs with it,
  // so `rmsnorm=test_maybe_slow` is 5000x slower in the head only.
  const std::string base = dir_->file("base.sh").string();
  std::ofstream(base) << "#!/bin/sh\nexec env -u SWAPBENCH_TEST_SLOW " << test::faulty_binary()
                      << " \"$@\"\n";
  std::filesystem::permissions(base, std::filesystem::perms::owner_all);
  const std::string args = " gate --paired '" + base + "' --backend cpu -m '" + model_ +
                           "' -w tg6 --rounds 2 --max-seconds 0.2 --plan rmsnorm=test_maybe_slow"
                           " --thresholds '" + thresholds_ + "'";
  const auto same = run_command(test::faulty_binary() + args);
  EXPECT_EQ(same.exit_code, 0) << same.out << same.err;
  EXPECT_NE(same.out.find("equality B vs A, rmsnorm=test_maybe_slow | tg6 | graphs off: bitwise"),
            std::string::npos)
      << same.out;
  const auto slow = run_command("SWAPBENCH_TEST_SLOW=1 " + test::faulty_binary() + args);
  EXPECT_EQ(slow.exit_code, 1) << slow.out << slow.err;
  EXPECT_NE(slow.out.find("rmsnorm=test_maybe_slow | tg6"), std::string::npos) << slow.out;
}

TEST_F(StoreFlow, CorruptDatabaseGivesOneLineErrorAndStaysUntouched) {
  const std::string db = dir_->file("corrupt.db").string();
  const std::vector<uint8_t> junk(4096, 0x5a);
  test::write_bytes(db, junk);
  const auto r = run_command(test::swapbench_binary() + " baseline list --db '" + db + "'");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(test::read_bytes(db), junk);
}

}  // namespace
}  // namespace swapbench
