// The SQLite results store: schema creation, upgrade and refusal (newer schema, garbage file:
// both left untouched), trials stored with every sample in order and the result JSON intact,
// resume, run lookup, baseline promotion history, idempotent merge (refused whole on a bad
// input), concurrent writers (threads and processes), exports and check.
#include "baselines/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <random>
#include <sstream>
#include <thread>

#include "harness/stats.h"
#include "support/test_support.h"

namespace swapbench::store {
namespace {

using nlohmann::json;
using test::TempDir;

std::vector<double> random_samples(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> d(0.5, 2.5);  // never zero
  std::vector<double> v(n);
  for (double& x : v) x = d(rng);
  return v;
}

// A trial result in the format of runner/trial_json.cpp, small and synthetic.
json make_result(const std::string& plan, const std::string& workload, bool graphs, uint32_t seed,
                 size_t n = 40) {
  const std::vector<double> samples = random_samples(n, seed);
  const stats::Summary s = stats::summarize(samples);
  return {{"spec",
           {{"model", "m.gguf"},
            {"plan", plan},
            {"workload", workload},
            {"backend", "cpu"},
            {"graphs", graphs}}},
          {"status", "ok"},
          {"error", ""},
          {"device", "cpu"},
          {"samples_ms", samples},
          {"reps", 5},
          {"stop_reason", "converged"},
          {"summary",
           {{"n", s.n},
            {"median_ms", s.median},
            {"q1_ms", s.q1},
            {"q3_ms", s.q3},
            {"min_ms", s.min},
            {"max_ms", s.max},
            {"ci_lo_ms", s.ci.interval.lo},
            {"ci_hi_ms", s.ci.interval.hi},
            {"ci_coverage", s.ci.coverage},
            {"ci_exact", s.ci.exact},
            {"rel_half_width", s.relative_half_width()}}},
          {"tokens_per_second", 1000.0 / s.median},
          {"tokens", {1, 2, 3}},
          {"slots",
           {{{"slot", "rmsnorm"},
             {"variant", "serial"},
             {"calls", 2},
             {"ms", 0.1},
             {"share", 0.2},
             {"bytes", 1024.0},
             {"gbps", 10.0},
             {"pct_of_peak", 1.0}},
            {{"slot", "matvec"},
             {"variant", "v3"},
             {"calls", 7},
             {"ms", 0.4},
             {"share", 0.8},
             {"bytes", 4096.0},
             {"gbps", 10.0},
             {"pct_of_peak", 1.0}}}},
          {"health", {{"sampled", false}, {"healthy", true}, {"evidence", json::array()}}},
          {"equality", plan.empty() ? "bitwise" : "ulp<=2"}};
}

RunInfo make_run(Store& db, const std::string& started_at, const std::string& status = "running") {
  RunInfo r;
  r.uuid = db.new_uuid();
  r.started_at = started_at;
  r.status = status;
  r.git_commit = "abc123";
  r.tag = "nightly";
  r.host = "box";
  r.gpu_name = "cpu";
  r.backend = "cpu";
  db.begin_run(r);
  return r;
}

// A database with one complete run of `trials` trials, a model and a promotion.
std::string filled_db(const TempDir& dir, const std::string& name, int trials, uint32_t seed) {
  const std::string path = dir.file(name).string();
  Store db = Store::open(path);
  db.add_model({"sha-" + name, "m.gguf", "tiny", "q4_1"});
  const RunInfo r = make_run(db, "2025-01-0" + std::to_string(seed % 9 + 1) + "T00:00:00Z");
  for (int i = 0; i < trials; ++i)
    db.add_trial(r.uuid, "", "sha-" + name,
                 make_result("p" + std::to_string(i), "tg16", true, seed * 100 + uint32_t(i)));
  db.finish_run(r.uuid, "complete");
  db.promote("main", r.uuid, "from " + name);
  db.add_gate_decision("main", r.uuid, {{"max_ratio", 1.05}}, "pass", 0, {{"compared", trials}});
  return path;
}

std::vector<int64_t> counts(const std::string& path) {
  std::vector<int64_t> out;
  for (const char* t : {"runs", "models", "trials", "samples", "slot_times", "baseline_promotions",
                        "gate_decisions"})
    out.push_back(testing::row_count(path, t));
  return out;
}

TEST(Store, FreshDatabaseHasTheLatestVersionAndEveryTable) {
  TempDir dir;
  const std::string path = dir.file("swapbench.db").string();
  Store db = Store::open(path);
  EXPECT_EQ(db.version(), Store::latest_version());
  EXPECT_EQ(db.path(), path);
  const std::vector<std::string> expected = {
      "baseline_promotions", "gate_decisions", "models", "runs", "samples", "slot_times", "trials"};
  EXPECT_EQ(testing::tables(path), expected);
}

TEST(Store, ReopeningIsANoOpThatKeepsTheData) {
  TempDir dir;
  const std::string path = filled_db(dir, "a.db", 2, 1);
  const std::vector<int64_t> before = counts(path);
  Store db = Store::open(path);
  EXPECT_EQ(db.version(), Store::latest_version());
  EXPECT_EQ(counts(path), before);
}

TEST(Store, OlderDatabaseIsUpgradedInPlace) {
  TempDir dir;
  const std::string path = dir.file("old.db").string();
  testing::create_at_version(path, 1);
  const std::vector<std::string> v1 = testing::tables(path);
  EXPECT_EQ(std::count(v1.begin(), v1.end(), "gate_decisions"), 0);

  Store db = Store::open(path);
  EXPECT_EQ(db.version(), Store::latest_version());
  const std::vector<std::string> now = testing::tables(path);
  EXPECT_EQ(std::count(now.begin(), now.end(), "gate_decisions"), 1);
  const RunInfo r = make_run(db, "2025-01-01T00:00:00Z", "complete");
  db.add_gate_decision("main", r.uuid, json::object(), "not_comparable", 3, json::object());
  EXPECT_EQ(db.gate_decisions(r.uuid).size(), 1u);
}

TEST(Store, RunsKeepTheHostLaunchCostsAndExportThem) {
  TempDir dir;
  Store db = Store::open(dir.file("l.db").string());
  RunInfo r;
  r.uuid = db.new_uuid();
  r.backend = "cuda";
  r.launch_us = 4.15;
  r.graph_node_us = 0.5;
  r.chain_node_us = 1.4;
  db.begin_run(r);
  const std::vector<RunInfo> runs = db.runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_DOUBLE_EQ(runs[0].launch_us, 4.15);
  EXPECT_DOUBLE_EQ(runs[0].graph_node_us, 0.5);
  EXPECT_DOUBLE_EQ(runs[0].chain_node_us, 1.4);
  EXPECT_DOUBLE_EQ(db.find_run(r.uuid)->launch_us, 4.15);
  EXPECT_DOUBLE_EQ(db.find_run(r.uuid)->chain_node_us, 1.4);
  const json e = db.export_json();
  EXPECT_DOUBLE_EQ(e["runs"][0]["launch_us"].get<double>(), 4.15) << e.dump();
  EXPECT_DOUBLE_EQ(e["runs"][0]["chain_node_us"].get<double>(), 1.4) << e.dump();
}

// Schema 3 added the runs' launch costs: a schema 2 file still reads read-only and merges (its
// runs' costs are 0), and upgrades in place keeping its runs.
TEST(Store, ASchema2DatabaseReadsMergesAndUpgradesWithLaunchCostsZero) {
  TempDir dir;
  const std::string old = dir.file("v2.db").string();
  testing::create_at_version(old, 2);
  testing::add_v1_run(old, "0123-old", "2025-01-01T00:00:00Z");
  {
    const Store ro = Store::open_read_only(old);
    EXPECT_EQ(ro.version(), 2);
    const std::vector<RunInfo> runs = ro.runs();
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0].host, "old-box");
    EXPECT_EQ(runs[0].launch_us, 0.0);
    EXPECT_EQ(ro.find_run("latest")->uuid, "0123-old");
  }
  const std::string out = dir.file("out.db").string();
  Store::merge({old}, out);
  Store merged = Store::open(out);
  ASSERT_TRUE(merged.find_run("0123-old").has_value());
  EXPECT_EQ(merged.find_run("0123-old")->launch_us, 0.0);

  Store up = Store::open(old);
  EXPECT_EQ(up.version(), Store::latest_version());
  ASSERT_EQ(up.runs().size(), 1u);
  EXPECT_EQ(up.runs()[0].graph_node_us, 0.0);
}

// Schema 4 added the runs' dependent node: a schema 3 file still reads read-only and merges with
// its launch costs intact and the dependent node 0, and upgrades in place keeping both.
TEST(Store, ASchema3DatabaseReadsMergesAndUpgradesWithTheDependentNodeZero) {
  TempDir dir;
  const std::string old = dir.file("v3.db").string();
  testing::create_at_version(old, 3);
  testing::add_v3_run(old, "0123-old", "2025-01-01T00:00:00Z", 4.15, 0.5);
  {
    const Store ro = Store::open_read_only(old);
    EXPECT_EQ(ro.version(), 3);
    const std::vector<RunInfo> runs = ro.runs();
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_DOUBLE_EQ(runs[0].launch_us, 4.15);
    EXPECT_DOUBLE_EQ(runs[0].graph_node_us, 0.5);
    EXPECT_EQ(runs[0].chain_node_us, 0.0);
    EXPECT_EQ(ro.find_run("latest")->uuid, "0123-old");
  }
  const std::string out = dir.file("out.db").string();
  Store::merge({old}, out);
  Store merged = Store::open(out);
  ASSERT_TRUE(merged.find_run("0123-old").has_value());
  EXPECT_DOUBLE_EQ(merged.find_run("0123-old")->launch_us, 4.15);
  EXPECT_EQ(merged.find_run("0123-old")->chain_node_us, 0.0);

  Store up = Store::open(old);
  EXPECT_EQ(up.version(), 4);
  ASSERT_EQ(up.runs().size(), 1u);
  EXPECT_DOUBLE_EQ(up.runs()[0].graph_node_us, 0.5);
  EXPECT_EQ(up.runs()[0].chain_node_us, 0.0);
  EXPECT_EQ(up.export_json()["runs"][0]["chain_node_us"].get<double>(), 0.0);
}

TEST(Store, NewerDatabaseIsRefusedNamingBothVersionsAndLeftByteIdentical) {
  TempDir dir;
  const std::string path = dir.file("new.db").string();
  { Store::open(path); }
  const int newer = Store::latest_version() + 1;
  testing::set_user_version(path, newer);
  const std::vector<uint8_t> before = test::read_bytes(path);
  try {
    Store::open(path);
    FAIL() << "a newer schema must be refused";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
    EXPECT_NE(msg.find(std::to_string(newer)), std::string::npos) << msg;
    EXPECT_NE(msg.find("(" + std::to_string(Store::latest_version()) + ")"), std::string::npos)
        << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos);
  }
  EXPECT_THROW(Store::check(path), Error);
  EXPECT_EQ(test::read_bytes(path), before);
}

TEST(Store, GarbageFileGivesAOneLineErrorAndIsLeftUntouched) {
  TempDir dir;
  const std::string path = dir.file("garbage.db").string();
  std::mt19937 rng(7);
  std::vector<uint8_t> bytes(8192);
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng());
  test::write_bytes(path, bytes);
  try {
    Store::open(path);
    FAIL() << "random bytes are not a database";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.rfind(path + ": ", 0), 0u) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
  EXPECT_THROW(Store::check(path), Error);
  EXPECT_THROW(Store::merge({path}, dir.file("out.db").string()), Error);
  EXPECT_EQ(test::read_bytes(path), bytes);
}

TEST(Store, CorruptDatabaseGivesAOneLineErrorAndIsLeftUntouched) {
  TempDir dir;
  const std::string path = filled_db(dir, "c.db", 20, 1);
  std::vector<uint8_t> bytes = test::read_bytes(path);
  ASSERT_GT(bytes.size(), 8192u);
  std::mt19937 rng(9);
  for (size_t i = 4096 + 16; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(rng());
  test::write_bytes(path, bytes);  // pages after the first: found by check()
  try {
    Store::check(path);
    FAIL() << "check must find the corruption";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
  }
  for (size_t i = 100; i < 4096; ++i) bytes[i] = static_cast<uint8_t>(rng());
  test::write_bytes(path, bytes);  // the schema page itself: found by open()
  EXPECT_THROW(Store::open(path), Error);
  EXPECT_EQ(test::read_bytes(path), bytes);
}

TEST(Store, AddTrialStoresEverySampleInOrderAndTheResultJsonRoundTrips) {
  TempDir dir;
  const std::string path = dir.file("t.db").string();
  Store db = Store::open(path);
  db.add_model({"sha1", "m.gguf", "smollm2-135m", "q4_1"});
  const RunInfo r = make_run(db, "2025-01-01T00:00:00Z");
  const json result =
      make_result("rmsnorm=warp_shuffle,matvec.q4_1=v3_small", "tg128@ctx4096", false, 42, 500);
  const int64_t id = db.add_trial(r.uuid, "k1", "sha1", result);

  EXPECT_EQ(db.samples(id), result["samples_ms"].get<std::vector<double>>());
  const std::vector<TrialRow> rows = db.trials(r.uuid);
  ASSERT_EQ(rows.size(), 1u);
  const TrialRow& t = rows[0];
  EXPECT_EQ(t.id, id);
  EXPECT_EQ(t.key, "k1");
  EXPECT_EQ(t.plan, "rmsnorm=warp_shuffle,matvec.q4_1=v3_small");
  EXPECT_EQ(t.workload, "tg128@ctx4096");
  EXPECT_FALSE(t.graphs);
  EXPECT_EQ(t.status, "ok");
  EXPECT_EQ(t.equality, "ulp<=2");
  EXPECT_EQ(t.model_sha256, "sha1");
  EXPECT_EQ(t.tokens_per_second, result["tokens_per_second"].get<double>());
  EXPECT_EQ(t.result, result);
  EXPECT_EQ(testing::row_count(path, "slot_times"), 2);
  EXPECT_EQ(db.model("sha1")->description, "smollm2-135m");
}

TEST(Store, AddTrialRefusesUnknownRunsModelsAndDuplicateKeysLeavingNoPartialRows) {
  TempDir dir;
  const std::string path = dir.file("t.db").string();
  Store db = Store::open(path);
  const RunInfo r = make_run(db, "2025-01-01T00:00:00Z");
  const json result = make_result("", "tg16", true, 1);
  EXPECT_THROW(db.add_trial("no-such-run", "k", "", result), Error);
  EXPECT_THROW(db.add_trial(r.uuid, "k", "unknown-sha", result), Error);
  EXPECT_THROW(db.add_trial(r.uuid, "k", "", json{{"status", "ok"}}), Error);
  db.add_trial(r.uuid, "k", "", result);
  EXPECT_THROW(db.add_trial(r.uuid, "k", "", result), Error);
  EXPECT_EQ(testing::row_count(path, "trials"), 1);
  EXPECT_EQ(testing::row_count(path, "samples"), 40);
}

TEST(Store, HasTrialAnswersForResumeAndTheDefaultKeyNamesWorkloadGraphsAndPlan) {
  TempDir dir;
  Store db = Store::open(dir.file("t.db").string());
  const RunInfo r = make_run(db, "2025-01-01T00:00:00Z");
  const json result = make_result("rope=fused", "tg16", true, 3);
  EXPECT_EQ(Store::trial_key(result), "tg16|graphs=on|rope=fused");
  EXPECT_FALSE(db.has_trial(r.uuid, Store::trial_key(result)));
  db.add_trial(r.uuid, "", "", result);
  EXPECT_TRUE(db.has_trial(r.uuid, "tg16|graphs=on|rope=fused"));
  EXPECT_FALSE(db.has_trial(r.uuid, "tg16|graphs=off|rope=fused"));
  EXPECT_FALSE(db.has_trial("other-run", "tg16|graphs=on|rope=fused"));
}

TEST(Store, RunsAreNewestFirstAndLatestIsTheNewestCompleteRun) {
  TempDir dir;
  Store db = Store::open(dir.file("t.db").string());
  const RunInfo a = make_run(db, "2025-01-01T00:00:00Z");
  const RunInfo b = make_run(db, "2025-01-02T00:00:00Z");
  const RunInfo c = make_run(db, "2025-01-03T00:00:00Z");
  db.finish_run(a.uuid, "complete");
  db.finish_run(b.uuid, "complete");
  db.finish_run(c.uuid, "interrupted");

  const std::vector<RunInfo> runs = db.runs();
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].uuid, c.uuid);
  EXPECT_EQ(runs[1].uuid, b.uuid);
  EXPECT_EQ(runs[2].uuid, a.uuid);
  EXPECT_EQ(runs[0].status, "interrupted");
  EXPECT_FALSE(runs[0].finished_at.empty());
  EXPECT_EQ(runs[2].git_commit, "abc123");
  EXPECT_EQ(runs[2].tag, "nightly");

  EXPECT_EQ(db.find_run("latest")->uuid, b.uuid);
  EXPECT_EQ(db.find_run(a.uuid)->uuid, a.uuid);
  EXPECT_EQ(db.find_run(a.uuid.substr(0, 13))->uuid, a.uuid);
  EXPECT_FALSE(db.find_run("zzzz").has_value());
  EXPECT_THROW(db.finish_run(a.uuid, "done"), Error);
}

TEST(Store, NewUuidsAreVersion4AndDistinct) {
  TempDir dir;
  Store db = Store::open(dir.file("t.db").string());
  const std::string u = db.new_uuid();
  ASSERT_EQ(u.size(), 36u);
  EXPECT_EQ(u[14], '4');
  EXPECT_NE(std::string("89ab").find(u[19]), std::string::npos);
  EXPECT_NE(db.new_uuid(), u);
}

TEST(Store, PromotingTwiceKeepsTheHistoryAndTheNewestIsCurrent) {
  TempDir dir;
  Store db = Store::open(dir.file("t.db").string());
  const RunInfo a = make_run(db, "2025-01-01T00:00:00Z", "complete");
  const RunInfo b = make_run(db, "2025-01-02T00:00:00Z", "complete");
  const RunInfo bad = make_run(db, "2025-01-03T00:00:00Z", "interrupted");
  db.promote("main", a.uuid, "first");
  db.promote("main", b.uuid, "second");
  EXPECT_THROW(db.promote("main", bad.uuid, "throttled host"), Error);

  EXPECT_EQ(db.baseline("main")->run_uuid, b.uuid);
  const std::vector<BaselinePromotion> h = db.baseline_history("main");
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].run_uuid, a.uuid);
  EXPECT_EQ(h[0].note, "first");
  EXPECT_EQ(h[1].run_uuid, b.uuid);
  EXPECT_EQ(db.baselines(), std::vector<std::string>{"main"});
  EXPECT_FALSE(db.baseline("release").has_value());

  db.add_gate_decision("main", bad.uuid, {{"max_ratio", 1.05}}, "regression", 1,
                       {{"worst", "tg128"}});
  const std::vector<GateDecision> g = db.gate_decisions(bad.uuid);
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].baseline_run_uuid, b.uuid);
  EXPECT_EQ(g[0].exit_code, 1);
  EXPECT_EQ(g[0].thresholds["max_ratio"], 1.05);
}

TEST(Store, MergingTwoDatabasesTwiceGivesTheSameRowsAsOnce) {
  TempDir dir;
  const std::string a = filled_db(dir, "a.db", 3, 1);
  const std::string b = filled_db(dir, "b.db", 2, 2);
  const std::vector<uint8_t> a_bytes = test::read_bytes(a);
  const std::string out = dir.file("out.db").string();

  Store::merge({a, b}, out);
  const std::vector<int64_t> once = counts(out);
  const std::vector<int64_t> expected = {2, 2, 5, 5 * 40, 5 * 2, 2, 2};
  EXPECT_EQ(once, expected);
  Store::merge({a, b}, out);
  Store::merge({b}, out);
  EXPECT_EQ(counts(out), once);
  EXPECT_EQ(test::read_bytes(a), a_bytes) << "inputs are only read";

  Store merged = Store::open(out);
  Store src = Store::open(a);
  const RunInfo run = *src.find_run("latest");
  const std::vector<TrialRow> want = src.trials(run.uuid), got = merged.trials(run.uuid);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].result, want[i].result);
    EXPECT_EQ(merged.samples(got[i].id), src.samples(want[i].id));
  }
  EXPECT_EQ(merged.baseline_history("main").size(), 2u);
  EXPECT_THROW(Store::merge({out}, out), Error);
  EXPECT_THROW(Store::merge({dir.file("missing.db").string()}, out), Error);
}

TEST(Store, MergeWithACorruptInputLeavesTheOutputAsItWasOrUnmade) {
  TempDir dir;
  const std::string a = filled_db(dir, "a.db", 3, 1);
  const std::string b = filled_db(dir, "b.db", 2, 2);
  const std::string bad = filled_db(dir, "bad.db", 20, 3);
  std::vector<uint8_t> bytes = test::read_bytes(bad);
  std::mt19937 rng(11);
  for (size_t i = 4096 + 16; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(rng());
  test::write_bytes(bad, bytes);  // opens, but its pages after the first are noise

  const std::string fresh = dir.file("fresh.db").string();
  EXPECT_THROW(Store::merge({a, bad}, fresh), Error);
  EXPECT_FALSE(std::filesystem::exists(fresh)) << "a refused merge made its output";

  const std::string out = dir.file("out.db").string();
  Store::merge({a}, out);
  const std::vector<int64_t> before = counts(out);
  const std::vector<uint8_t> out_bytes = test::read_bytes(out);
  EXPECT_THROW(Store::merge({b, bad}, out), Error);
  EXPECT_EQ(counts(out), before) << "b was merged although the merge was refused";
  EXPECT_EQ(test::read_bytes(out), out_bytes);
}

// Each writer opens its own connection, begins its own run and adds `n` trials.
void write_trials(const std::string& path, int n, uint32_t seed) {
  Store db = Store::open(path);
  const RunInfo r = make_run(db, "");
  for (int i = 0; i < n; ++i)
    db.add_trial(r.uuid, "", "",
                 make_result("p" + std::to_string(i), "tg8", true, seed + uint32_t(i), 16));
  db.finish_run(r.uuid, "complete");
}

TEST(Store, TwoThreadsWritingOneFileBothComplete) {
  TempDir dir;
  const std::string path = dir.file("t.db").string();
  std::string err1, err2;
  auto writer = [&](uint32_t seed, std::string& err) {
    try {
      write_trials(path, 50, seed);
    } catch (const std::exception& e) {
      err = e.what();
    }
  };
  std::thread t1(writer, 1000u, std::ref(err1)), t2(writer, 2000u, std::ref(err2));
  t1.join();
  t2.join();
  EXPECT_EQ(err1, "");
  EXPECT_EQ(err2, "");
  EXPECT_EQ(testing::row_count(path, "trials"), 100);
  EXPECT_EQ(testing::row_count(path, "samples"), 100 * 16);
  EXPECT_EQ(Store::check(path),
            "ok: schema " + std::to_string(Store::latest_version()) + ", 2 runs, 100 trials");
}

TEST(Store, TwoProcessesCreatingAndWritingOneFileBothComplete) {
  TempDir dir;
  const std::string path = dir.file("t.db").string();  // not created yet: both race to create
  std::vector<pid_t> children;
  for (uint32_t seed : {1000u, 2000u}) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int code = 0;
      try {
        write_trials(path, 50, seed);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "child: %s\n", e.what());
        code = 1;
      }
      _exit(code);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  EXPECT_EQ(testing::row_count(path, "trials"), 100);
  EXPECT_EQ(testing::row_count(path, "runs"), 2);
}

TEST(Store, ExportCsvHasAHeaderAndOneQuotedLinePerTrial) {
  TempDir dir;
  Store db = Store::open(dir.file("t.db").string());
  const RunInfo r = make_run(db, "2025-01-01T00:00:00Z");
  db.add_trial(r.uuid, "", "", make_result("", "tg16", true, 1));
  db.add_trial(r.uuid, "", "", make_result("rmsnorm=warp_shuffle,rope=fused", "tg16", false, 2));
  db.add_trial(r.uuid, "", "", make_result("swiglu=fused", "tg16@ctx512", true, 3));
  const std::string csv = db.export_csv();
  std::istringstream in(csv);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].rfind("run,started_at,tag,gpu,plan,workload,graphs,status,", 0), 0u);
  EXPECT_NE(lines[2].find(",\"rmsnorm=warp_shuffle,rope=fused\",tg16,off,ok,"), std::string::npos)
      << lines[2];

  const json j = db.export_json();
  ASSERT_EQ(j["runs"].size(), 1u);
  EXPECT_EQ(j["runs"][0]["uuid"], r.uuid);
  EXPECT_EQ(j["runs"][0]["trials"].size(), 3u);
}

TEST(Store, CheckReportsOkWithCounts) {
  TempDir dir;
  const std::string path = filled_db(dir, "a.db", 3, 1);
  EXPECT_EQ(Store::check(path),
            "ok: schema " + std::to_string(Store::latest_version()) + ", 1 runs, 3 trials");
  EXPECT_THROW(Store::check(dir.file("missing.db").string()), Error);
}

// A stored JSON text that does not parse stops report, gate and export; check finds it and names
// the trial (or gate decision), and leaves the file as it was.
TEST(Store, CheckNamesATrialOrDecisionWhoseStoredJsonIsBroken) {
  TempDir dir;
  const std::vector<std::pair<std::string, std::string>> breaks{
      {"UPDATE trials SET result_json = '{\"spec\": ' WHERE id = 2", "stored result of trial 2 ('"},
      {"UPDATE trials SET result_json = '[1, 2]' WHERE id = 3", "stored result of trial 3 ('"},
      {"UPDATE trials SET health_json = 'nan' WHERE id = 1", "stored health of trial 1 ('"},
      {"UPDATE gate_decisions SET details_json = '{' WHERE id = 1",
       "stored details of gate decision 1 is not valid JSON"},
  };
  int k = 0;
  for (const auto& [sql, says] : breaks) {
    const std::string path = filled_db(dir, "broken" + std::to_string(k++) + ".db", 3, 1);
    sqlite3* c = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &c), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(c, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sql;
    sqlite3_close(c);
    const std::vector<uint8_t> bytes = test::read_bytes(path);
    try {
      Store::check(path);
      ADD_FAILURE() << "check passed a database after: " << sql;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
    }
    EXPECT_EQ(test::read_bytes(path), bytes) << sql;
  }
}

}  // namespace
}  // namespace swapbench::store
