// The command line as a user meets it: info on the real model, run on a generated one, and bad
// input (truncated GGUF, unknown variant, unknown slot) giving one clear line and a non-zero exit.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "harness/cpu_affinity.h"
#include "kernels/common/block_trace.h"
#include "runner/model/model_gen.h"
#include "support/test_support.h"

namespace swapbench {
namespace {

using test::run_command;
using test::swapbench_binary;

size_t lines(const std::string& s) { return size_t(std::count(s.begin(), s.end(), '\n')); }

// `swapbench <args>` exits 2 with one line on stderr that says `says`, before any trial ran (no
// table row of the reference plan on stdout).
void expect_refused_before_any_trial(const std::string& args, const std::string& says) {
  const auto r = run_command(swapbench_binary() + args);
  EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
  EXPECT_EQ(lines(r.err), 1u) << args << "\n" << r.err;
  EXPECT_NE(r.err.find(says), std::string::npos) << args << "\n" << r.err;
  EXPECT_EQ(r.out.find("reference"), std::string::npos) << args << ": a trial ran\n" << r.out;
}

class Cli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir;
    tiny_ = dir_->file("tiny.gguf").string();
    generate_model(tiny_, {.shape = "tiny", .quant = DType::q4_1, .seed = 2});
  }
  static void TearDownTestSuite() { delete dir_; }
  static inline test::TempDir* dir_ = nullptr;
  static inline std::string tiny_;
};

TEST_F(Cli, InfoOnTheRealModelShowsBlocksEmbeddingAndTensorTypes) {
  SB_REQUIRE_REAL_MODEL(path);
  const auto r = run_command(swapbench_binary() + " info '" + path.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("30 blocks, 576 embedding"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("blk.0.attn_q.weight"), std::string::npos);
  EXPECT_NE(r.out.find("q4_1"), std::string::npos);
  EXPECT_NE(r.out.find("q8_0"), std::string::npos);
  EXPECT_NE(r.out.find("weight bytes read per decoded token"), std::string::npos);
}

TEST_F(Cli, RunJsonReportsTokensTextAndSpeed) {
  const auto r = run_command(swapbench_binary() + " run --backend cpu --model '" + tiny_ +
                             "' --prompt hi -n 6 --no-stop --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["ids"].size(), 6u);
  EXPECT_EQ(j["backend"], "cpu");
  EXPECT_GT(j["tokens_per_second"].get<double>(), 0.0);
  EXPECT_EQ(j["variants"]["rmsnorm"], "cpu_ref");
}

// A plan entry the model has no call for (the tiny model has no f16 matrix) still runs the plan,
// but says so in run's text and JSON and under bench's row.
TEST_F(Cli, PlanEntryNoCallTookIsReportedNotSilentlyDropped) {
  const std::string plan = " --plan rmsnorm=cpu_lanes,matvec.f16=cpu_ref";
  const auto text =
      run_command(swapbench_binary() + " run --backend cpu -n 2 --model '" + tiny_ + "'" + plan);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("note: plan entry 'matvec.f16=cpu_ref' matches no call"),
            std::string::npos)
      << text.out;
  EXPECT_EQ(text.out.find("'rmsnorm=cpu_lanes' matches"), std::string::npos) << text.out;
  const auto json = run_command(swapbench_binary() + " run --backend cpu -n 2 --json --model '" +
                                tiny_ + "'" + plan);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(nlohmann::json::parse(json.out)["unused_plan_entries"],
            nlohmann::json::array({"matvec.f16=cpu_ref"}));
  const auto bench = run_command(swapbench_binary() + " bench --backend cpu -m '" + tiny_ +
                                 "' -w tg2 --max-seconds 0.2" + plan);
  ASSERT_EQ(bench.exit_code, 0) << bench.err;
  EXPECT_NE(bench.out.find("    note: plan entry 'matvec.f16=cpu_ref' matches no call"),
            std::string::npos)
      << bench.out;
}

TEST_F(Cli, TruncatedGgufGivesOneLineErrorAndNonZeroExit) {
  auto bytes = test::read_bytes(tiny_);
  bytes.resize(bytes.size() / 2);
  const auto cut = dir_->file("cut.gguf");
  test::write_bytes(cut, bytes);
  for (const std::string cmd : {" info '", " run --backend cpu -n 2 --model '"}) {
    const auto r = run_command(swapbench_binary() + cmd + cut.string() + "'");
    EXPECT_NE(r.exit_code, 0);
    EXPECT_EQ(lines(r.err), 1u) << r.err;
    EXPECT_NE(r.err.find("swapbench: error: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("cut.gguf"), std::string::npos) << r.err;
  }
}

TEST_F(Cli, UnknownVariantExitsTwoListingTheValidNames) {
  const auto r = run_command(swapbench_binary() + " run --backend cpu -n 2 --model '" + tiny_ +
                             "' --plan rmsnorm=nonesuch");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(lines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("unknown variant 'nonesuch'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("cpu_ref"), std::string::npos) << r.err;
}

TEST_F(Cli, TimelineWithoutTraceHooksExitsTwoSayingHowToBuildThem) {
  // The presets that build tests leave SWAPBENCH_TRACE off: the command must refuse before any
  // device work.
  if (trace::compiled_in()) GTEST_SKIP() << "built with the block trace: timeline works here";
  const auto r = run_command(swapbench_binary() + " timeline --model '" + tiny_ + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(lines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("-DSWAPBENCH_TRACE=ON"), std::string::npos) << r.err;
}

TEST_F(Cli, TimelineRefusesALayerTheModelLacksAndARecordsPathWithoutDirectory) {
  const auto layer =
      run_command(swapbench_binary() + " timeline --model '" + tiny_ + "' --layer 99");
  EXPECT_EQ(layer.exit_code, 2);
  EXPECT_EQ(lines(layer.err), 1u) << layer.err;
  EXPECT_NE(layer.err.find("--layer 99: the model has layers 0.."), std::string::npos) << layer.err;

  const std::string missing = dir_->file("no-such-dir").string() + "/r.csv";
  const auto rec = run_command(swapbench_binary() + " timeline --model '" + tiny_ +
                               "' --records '" + missing + "'");
  EXPECT_EQ(rec.exit_code, 2);
  EXPECT_EQ(lines(rec.err), 1u) << rec.err;
  EXPECT_NE(rec.err.find("no directory"), std::string::npos) << rec.err;
}

TEST_F(Cli, UnknownSlotExitsTwo) {
  const auto r = run_command(swapbench_binary() + " run --backend cpu -n 2 --model '" + tiny_ +
                             "' --plan layernorm=cpu_ref");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown slot 'layernorm'"), std::string::npos) << r.err;
}

TEST_F(Cli, ListVariantsJsonHasEveryField) {
  const auto r = run_command(swapbench_binary() + " list variants --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_FALSE(j.empty());
  for (const auto& v : j) {
    for (const char* f : {"key", "slot", "name", "backend", "equality", "rationale", "params"})
      EXPECT_TRUE(v.contains(f)) << f;
  }
}

TEST_F(Cli, BenchOnTheCpuKeepsEverySampleAndNamesThePlan) {
  const auto json = dir_->file("bench.json").string();
  const auto r = run_command(
      swapbench_binary() + " bench --backend cpu -m '" + tiny_ +
      "' -w tg8,tg4@ctx16 --max-seconds 0.5 --plan rmsnorm=cpu_lanes --json '" + json + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("rmsnorm=cpu_lanes"), std::string::npos) << r.out;
  const auto bytes = test::read_bytes(json);
  const auto j = nlohmann::json::parse(std::string(bytes.begin(), bytes.end()));
  ASSERT_EQ(j["trials"].size(), 4u);  // 2 plans x 2 workloads, one graphs mode on the CPU
  for (const auto& t : j["trials"]) {
    EXPECT_EQ(t["status"], "ok") << t["error"];
    const int tokens = t["spec"]["workload"] == "tg8" ? 8 : 4;
    EXPECT_EQ(t["samples_ms"].size(), size_t(t["reps"].get<int>() * tokens));
    EXPECT_GE(t["reps"].get<int>(), 3);
    EXPECT_GT(t["tokens_per_second"].get<double>(), 0.0);
  }
  EXPECT_EQ(j["trials"][1]["spec"]["workload"], "tg4@ctx16");
  EXPECT_EQ(j["trials"][0]["equality"], "bitwise");
  EXPECT_EQ(j["trials"][2]["equality"].get<std::string>().rfind("nmse<=", 0), 0u);
}

// A plan longer than the default plan column (46) must not run into the workload column: every
// row's workload starts where the header's "workload" does.
TEST_F(Cli, BenchTableKeepsItsColumnsWithALongPlan) {
  const std::string plan = "attn_in=cpu_fused,ffn_in=cpu_fused,rmsnorm=cpu_lanes,swiglu=cpu_float";
  ASSERT_GT(plan.size(), 46u);
  const auto r = run_command(swapbench_binary() + " bench --backend cpu -m '" + tiny_ +
                             "' -w tg4 --max-seconds 0.2 --no-profile --plan " + plan);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream out(r.out);
  std::string line;
  size_t column = std::string::npos, rows = 0;
  while (std::getline(out, line)) {
    if (line.rfind("plan ", 0) == 0) column = line.find("workload");
    if (line.rfind("reference ", 0) != 0 && line.rfind(plan, 0) != 0) continue;
    ASSERT_NE(column, std::string::npos) << "no header before the rows:\n" << r.out;
    EXPECT_EQ(line.find("tg4"), column) << line;
    EXPECT_EQ(line[column - 1], ' ') << line;
    ++rows;
  }
  EXPECT_EQ(rows, 2u) << r.out;  // the reference and the plan
}

// --cpus pins every trial: the table's last column and the JSON say where each ran; a CPU the
// process may not use is one line and exit 2 before any trial.
TEST_F(Cli, BenchCpusPinsEveryTrialAndRefusesAnUnavailableCpu) {
  const std::string cpu = std::to_string(affinity::allowed_cpus().front());
  const auto json = dir_->file("pinned.json").string();
  const auto r = run_command(swapbench_binary() + " bench --backend cpu -m '" + tiny_ +
                             "' -w tg4 --max-seconds 0.2 --no-profile --cpus " + cpu + " --json '" +
                             json + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream out(r.out);
  std::string line;
  size_t rows = 0;
  while (std::getline(out, line)) {
    if (line.rfind("reference ", 0) != 0) continue;
    EXPECT_EQ(line.substr(line.size() - cpu.size() - 1), " " + cpu) << line;
    ++rows;
  }
  EXPECT_EQ(rows, 1u) << r.out;
  const auto bytes = test::read_bytes(json);
  const auto j = nlohmann::json::parse(std::string(bytes.begin(), bytes.end()));
  ASSERT_EQ(j["trials"].size(), 1u);
  EXPECT_EQ(j["trials"][0]["spec"]["cpus"], cpu);
  EXPECT_EQ(j["trials"][0]["cpus_seen"], nlohmann::json::array({std::stoi(cpu)}));

  const auto bad = run_command(swapbench_binary() + " bench --backend cpu -m '" + tiny_ +
                               "' -w tg4 --cpus 1023");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(lines(bad.err), 1u) << bad.err;
  EXPECT_NE(bad.err.find("--cpus: cpu 1023 is not available"), std::string::npos) << bad.err;
  const auto junk = run_command(swapbench_binary() + " sweep --backend cpu -m '" + tiny_ +
                                "' --db '" + dir_->file("never.db").string() + "' --cpus 2-1");
  EXPECT_EQ(junk.exit_code, 2);
  EXPECT_NE(junk.err.find("runs backwards"), std::string::npos) << junk.err;
  EXPECT_FALSE(std::filesystem::exists(dir_->file("never.db")));
}

// --repeat runs every configuration in N processes, round after round, and reports each one's
// median and range over them; every process decodes the same bytes.
TEST_F(Cli, BenchRepeatRunsRoundsAndReportsEachConfigurationsSpread) {
  const auto json = dir_->file("repeat.json").string();
  const auto r = run_command(swapbench_binary() + " bench --backend cpu -m '" + tiny_ +
                             "' -w tg4 --max-seconds 0.2 --no-profile --repeat 3 --plan "
                             "rmsnorm=cpu_lanes --json '" +
                             json + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto bytes = test::read_bytes(json);
  const auto j = nlohmann::json::parse(std::string(bytes.begin(), bytes.end()));
  ASSERT_EQ(j["trials"].size(), 6u);
  for (size_t i = 0; i < 6; ++i) {
    const auto& t = j["trials"][i];
    EXPECT_EQ(t["status"], "ok") << t["error"];
    EXPECT_EQ(t["repeat"], int(i / 2)) << "round after round: reference, plan, reference, ...";
    EXPECT_EQ(t["spec"]["plan"], i % 2 ? "rmsnorm=cpu_lanes" : "");
    EXPECT_EQ(t["fingerprints"], j["trials"][i % 2]["fingerprints"]);
  }
  ASSERT_EQ(j["spreads"].size(), 2u);
  for (const auto& s : j["spreads"]) {
    std::vector<double> tps;
    for (const auto& t : j["trials"])
      if (t["spec"]["plan"] == s["plan"]) tps.push_back(t["tokens_per_second"].get<double>());
    ASSERT_EQ(tps.size(), 3u);
    std::sort(tps.begin(), tps.end());
    EXPECT_EQ(s["processes"], 3);
    EXPECT_EQ(s["min"].get<double>(), tps[0]);
    EXPECT_EQ(s["median"].get<double>(), tps[1]);
    EXPECT_EQ(s["max"].get<double>(), tps[2]);
    EXPECT_EQ(s["graphs"], false);  // the CPU backend runs graphs off only
  }
  EXPECT_NE(r.out.find("over processes reference"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" over 3 (range "), std::string::npos) << r.out;

  const auto bad =
      run_command(swapbench_binary() + " bench --backend cpu -m '" + tiny_ + "' -w tg4 --repeat 0");
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_EQ(lines(bad.err), 1u) << bad.err;
  EXPECT_NE(bad.err.find("--repeat: Value 0 not in range 1 to 100"), std::string::npos) << bad.err;
}

// Options CLI11 itself rejects (a value outside its set or range, a missing required option, an
// unknown flag) are usage errors like the others: one line, exit 2; --help still prints and exits
// 0.
TEST_F(Cli, ParserErrorsAreOneLineAndExitTwoButHelpIsNot) {
  for (const std::string args :
       {" run --graphs maybe", " bench --pdl sometimes", " info", " run --no-such-flag",
        " bench --max-seconds -1", " bench --timeout 0", " bench --min-reps 0", " bench --taps -3",
        " bench --rel-half-width 0", " sweep --timeout -5", " sweep --taps -1",
        " ablate --max-seconds -2", " gate --max-seconds -1", " run --max-ctx -1",
        " gen-model --shape tiny --threads -3 -o x.gguf"}) {
    const auto r = run_command(swapbench_binary() + args);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
    EXPECT_EQ(lines(r.err), 1u) << args << "\n" << r.err;
    EXPECT_EQ(r.err.rfind("swapbench: error: ", 0), 0u) << r.err;
  }
  const auto help = run_command(swapbench_binary() + " bench --help");
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_NE(help.out.find("--repeat"), std::string::npos) << help.out;
}

TEST_F(Cli, BenchRejectsAnUnknownWorkloadWithExitTwo) {
  const auto r =
      run_command(swapbench_binary() + " bench --backend cpu -m '" + tiny_ + "' -w tg5x");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown workload 'tg5x'"), std::string::npos) << r.err;
}

// bench, sweep and the paired gate read --graphs, --workloads and --plan the same way: a bad
// value is one line and exit 2 before any trial runs, so nothing reaches the database (a typo
// in --graphs once ran graphs off under gate, silently).
TEST_F(Cli, BadGraphsWorkloadsOrPlanStopBenchSweepAndPairedGateBeforeAnyTrial) {
  const std::string m = " --backend cpu -m '" + tiny_ + "' --max-seconds 0.1";
  const std::string db = dir_->file("never.db").string();
  const std::string plans = dir_->file("typo_plans.txt").string();
  std::ofstream(plans) << "rmsnorm=cpu_lanes\nrmsnorm=cpu_lanez\n";
  const std::string sweep = " sweep --db '" + db + "'" + m;
  const std::string gate = " gate --paired '" + swapbench_binary() + "' --db '" + db + "'" + m;
  const std::vector<std::pair<std::string, std::string>> cases{
      {" bench" + m + " --graphs yes", "--graphs takes on, off or on,off, not 'yes'"},
      {" bench" + m + " --graphs ,", "--graphs takes on, off or on,off"},
      {" bench" + m + " -w ,", "--workloads names no workload"},
      {sweep + " --graphs of", "--graphs takes on, off or on,off, not 'of'"},
      {sweep + " -w tg8,tgx", "unknown workload 'tgx'"},
      {sweep + " --planner file --plans-file '" + plans + "'", "line 2"},
      {gate + " --graphs yes", "--graphs takes on, off or on,off, not 'yes'"},
      {gate + " -w pp", "unknown workload 'pp'"},
      {gate + " --plan rmsnorm=cpu_lanez", "unknown variant 'cpu_lanez'"},
  };
  for (const auto& [args, says] : cases) expect_refused_before_any_trial(args, says);
  EXPECT_FALSE(std::filesystem::exists(db)) << "a refused sweep or gate created " << db;
}

// A file written at the end (bench and ablate --json, gate --markdown) is checked first: a
// mistyped folder once cost the whole measurement before the write failed.
TEST_F(Cli, AnOutputFileThatCannotBeWrittenIsRefusedBeforeAnyTrialRuns) {
  const std::string m = " --backend cpu -m '" + tiny_ + "' --max-seconds 0.1";
  const std::string nowhere = dir_->file("no_such_folder").string() + "/out";
  const std::vector<std::pair<std::string, std::string>> cases{
      {" bench" + m + " --json '" + nowhere + ".json'",
       "--json " + nowhere + ".json: no directory"},
      {" ablate" + m + " --json '" + nowhere + ".json'",
       "--json " + nowhere + ".json: no directory"},
      {" gate --paired " + swapbench_binary() + m + " --markdown '" + nowhere + ".md'",
       "--markdown " + nowhere + ".md: no directory"},
      {" bench" + m + " --json '" + dir_->path().string() + "'", ": is a directory"},
  };
  for (const auto& [args, says] : cases) expect_refused_before_any_trial(args, says);
}

// A model whose token text holds a newline (found by mutating the tiny model's bytes): the
// tokenizer's error quotes the token, and stays one line, the newline written as \n.
TEST_F(Cli, AnErrorQuotingAControlCharacterFromTheFileStaysOneLine) {
  std::vector<uint8_t> bytes = test::read_bytes(tiny_);
  const std::vector<uint8_t> token{0xc4, 0xa0, 'a', 'n', 'd'};  // "Ġand", of the vocabulary
  const auto at = std::search(bytes.begin(), bytes.end(), token.begin(), token.end());
  ASSERT_NE(at, bytes.end()) << "the tiny model's vocabulary has no 'Ġand'";
  *(at + ptrdiff_t(token.size()) - 1) = '\n';
  const std::string bad = dir_->file("newline_token.gguf").string();
  test::write_bytes(bad, bytes);
  const auto r = run_command(swapbench_binary() + " run --backend cpu -n 2 -m '" + bad + "'");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(lines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("an\\n'"), std::string::npos) << r.err;
}

// gate's exit code is its verdict, 1 a regression: a failure to judge is 2 (error), whatever
// failed (a bad thresholds file, a database that is not one), never 1.
TEST_F(Cli, GateFailingToJudgeExitsTwoNotOneWhichMeansARegression) {
  const std::string th = dir_->file("thresholds.json").string();
  std::ofstream(th) << R"({"decode_drop": 3})";
  const std::string garbage = dir_->file("garbage.db").string();
  std::ofstream(garbage) << "not a database, not at all; long enough to be read as a header....";
  const std::string db = dir_->file("gate_flow.db").string();
  const auto swept = run_command(swapbench_binary() + " sweep --backend cpu -m '" + tiny_ +
                                 "' -w tg4 --max-seconds 0.1 --slots rmsnorm --db '" + db + "'");
  ASSERT_EQ(swept.exit_code, 0) << swept.err;
  ASSERT_EQ(
      run_command(swapbench_binary() + " baseline promote main --run latest --db '" + db + "'")
          .exit_code,
      0);
  for (const std::string args :
       {" gate --baseline main --db '" + db + "' --thresholds '" + th + "'",
        " gate --baseline main --db '" + garbage + "'"}) {
    const auto r = run_command(swapbench_binary() + args);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
    EXPECT_EQ(lines(r.err), 1u) << args << "\n" << r.err;
  }
  const auto ok = run_command(swapbench_binary() + " gate --baseline main --db '" + db + "'");
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;  // the same run against itself passes

  // A stored result that parses but is not a trial's: exit 2, naming the trial's row.
  sqlite3* c = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &c), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(c, "UPDATE trials SET result_json = '{\"spec\": 5}' WHERE id = 1", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(c);
  const auto broken = run_command(swapbench_binary() + " gate --baseline main --db '" + db + "'");
  EXPECT_EQ(broken.exit_code, 2) << broken.err;
  EXPECT_NE(broken.err.find(": trial 1 ('"), std::string::npos) << broken.err;
}

TEST_F(Cli, GenModelRejectsAnUnknownShape) {
  const auto r = run_command(swapbench_binary() + " gen-model --shape llama-70b -o '" +
                             dir_->file("x.gguf").string() + "'");
  EXPECT_NE(r.exit_code, 0);
}

// ablate on the CPU engine: the whole step, each asked role hollow, then every role hollow; the
// JSON says which roles each trial hollowed, and only the whole step ran the equality pass.
TEST_F(Cli, AblateHollowsEachRoleInTurnThenAllOfThem) {
  const auto out = dir_->file("ablate.json").string();
  const auto r =
      run_command(swapbench_binary() + " ablate --backend cpu -m '" + tiny_ +
                  "' -w tg4 --max-seconds 0.1 --roles attn,ffn_down --json '" + out + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("whole step: ok"), std::string::npos) << r.out;
  const std::vector<uint8_t> text = test::read_bytes(out);
  const auto j = nlohmann::json::parse(text.begin(), text.end());
  const auto& whole = j["whole"];
  EXPECT_EQ(whole["status"], "ok");
  EXPECT_TRUE(whole["spec"]["hollow"].empty());
  EXPECT_EQ(whole["fingerprints"].size(), 4u);  // the host-driven equality pass ran
  ASSERT_EQ(j["rows"].size(), 2u);
  const int layers = 2;  // the tiny shape
  const std::vector<std::string> roles{"attn", "ffn_down"};
  for (size_t i = 0; i < roles.size(); ++i) {
    const auto& row = j["rows"][i];
    EXPECT_EQ(row["role"], roles[i]);
    EXPECT_EQ(row["calls"], layers);
    EXPECT_GT(row["bytes"].get<double>(), 0.0);
    EXPECT_EQ(row["trial"]["status"], "ok") << row["trial"]["error"];
    EXPECT_EQ(row["trial"]["spec"]["hollow"], nlohmann::json::array({roles[i]}));
    EXPECT_TRUE(row["trial"]["fingerprints"].empty());  // timing only
    EXPECT_GT(row["trial"]["tokens_per_second"].get<double>(), 0.0);
    // The two medians' interval half-widths, so never zero for timings of a real host.
    EXPECT_GT(row["saved_ci_us"].get<double>(), 0.0);
    EXPECT_NEAR(row["saved_us"].get<double>(),
                1e3 * (whole["summary"]["median_ms"].get<double>() -
                       row["trial"]["summary"]["median_ms"].get<double>()),
                1e-6);
    EXPECT_NE(r.out.find("\n" + roles[i] + " "), std::string::npos) << r.out;
  }
  EXPECT_EQ(j["rows"][1]["variants"], "matvec_residual.q4_1:cpu_ref");
  const auto& all = j["all"];
  EXPECT_EQ(all["role"], "(all)");
  EXPECT_EQ(all["calls"], 4 + 11 * layers);               // every call of the reference step
  EXPECT_EQ(all["trial"]["spec"]["hollow"].size(), 15u);  // every role it has
  EXPECT_EQ(all["trial"]["status"], "ok");
  // The whole step runs again last, so a host that changed speed meanwhile shows.
  EXPECT_EQ(j["whole_again"]["status"], "ok");
  EXPECT_TRUE(j["whole_again"]["spec"]["hollow"].empty());
  EXPECT_NEAR(j["drift"].get<double>(),
              j["whole_again"]["summary"]["median_ms"].get<double>() /
                      whole["summary"]["median_ms"].get<double>() -
                  1,
              1e-9);
  EXPECT_NE(r.out.find("whole step again, last: ok"), std::string::npos) << r.out;
}

TEST_F(Cli, AblateRoleTheStepLacksExitsTwoListingItsRoles) {
  const auto r = run_command(swapbench_binary() + " ablate --backend cpu -m '" + tiny_ +
                             "' --roles attn,ffn_in");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(lines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("no call of this step has the role 'ffn_in'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ffn_gate_up"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("whole step"), std::string::npos) << "no trial may run: " << r.out;
}

}  // namespace
}  // namespace swapbench
