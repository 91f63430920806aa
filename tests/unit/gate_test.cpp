// The regression gate on crafted trials: a drop fails only with both size and significance,
// thresholds per workload, graphs ratio, equality classes, status, host health, pairing
// (nothing paired, other GPU), the thresholds file and the PR-comment Markdown.
#include "baselines/gate.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "harness/stats.h"
#include "support/test_support.h"

namespace swapbench::gate {
namespace {

constexpr double kStepMs = 1.40;

// `n` step times, normal around `mean_ms` with `noise` relative spread, from a fixed seed.
std::vector<double> samples(double mean_ms, uint32_t seed, double noise = 0.01, size_t n = 300) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> d(mean_ms, noise * mean_ms);
  std::vector<double> v(n);
  for (double& x : v) x = d(rng);
  return v;
}

Trial trial(const std::string& workload, std::vector<double> ms, bool graphs = true,
            const std::string& plan = "rmsnorm=warp_shuffle") {
  Trial t;
  t.model_sha256 = "3f1c9a0b7d2e4f6a8b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a";
  t.plan = plan;
  t.workload = workload;
  t.graphs = graphs;
  t.gpu_name = "NVIDIA H100 80GB HBM3";
  t.driver = "550.54.15";
  t.tokens_per_second = ms.empty() ? 0 : 1000.0 / stats::median(ms);
  t.samples_ms = std::move(ms);
  return t;
}

// One baseline trial at 1.40 ms and one candidate trial `slowdown` slower (1.06 = 6% slower).
Result gate_one(const std::string& workload, double slowdown, const Thresholds& t = {}) {
  return evaluate({trial(workload, samples(kStepMs, 1))},
                  {trial(workload, samples(kStepMs * slowdown, 2))}, t);
}

const Finding& only(const Result& r, const std::string& kind) {
  const Finding* found = nullptr;
  for (const Finding& f : r.findings)
    if (f.kind == kind) {
      EXPECT_EQ(found, nullptr) << "more than one " << kind << " finding";
      found = &f;
    }
  if (!found) throw std::runtime_error("no " + kind + " finding in: " + r.summary);
  return *found;
}

TEST(Gate, GatePassesAnAaComparison) {
  const Result r = gate_one("tg128", 1.0);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.summary;
  EXPECT_EQ(exit_code(r.verdict), 0);
  EXPECT_EQ(r.paired, 1u);
  const Finding& f = only(r, "speed");
  EXPECT_FALSE(f.failed);
  EXPECT_LT(std::abs(f.change), 0.005);
  EXPECT_GT(f.p_value, 0.002);
}

TEST(Gate, GateFailsWhenMedianDropsBeyondThresholdAndSignificant) {
  const Result r = gate_one("tg128", 1.06);
  EXPECT_EQ(r.verdict, Verdict::regression);
  EXPECT_EQ(exit_code(r.verdict), 1);
  const Finding& f = only(r, "speed");
  EXPECT_TRUE(f.failed);
  EXPECT_FALSE(f.warning_only);
  EXPECT_EQ(f.label, "rmsnorm=warp_shuffle | tg128 | graphs on");
  EXPECT_NEAR(f.change, 1 / 1.06 - 1, 0.005);
  EXPECT_LT(f.p_value, 1e-10);
  EXPECT_DOUBLE_EQ(f.threshold, 0.03);
  EXPECT_NE(r.summary.find("rmsnorm=warp_shuffle | tg128 | graphs on"), std::string::npos)
      << r.summary;
}

TEST(Gate, GatePassesASmallSignificantDrop) {
  const Result r = gate_one("tg128", 1.01);
  const Finding& f = only(r, "speed");
  ASSERT_LT(f.p_value, 0.002) << "the set-up must be significant";
  ASSERT_LT(f.change, 0);
  EXPECT_FALSE(f.failed);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.summary;
}

TEST(Gate, GatePassesALargeButInsignificantDrop) {
  // Bimodal step times (e.g. two clock states): the median sits in whichever mode holds the
  // majority, so moving two samples across flips it by ~7% while the distributions match.
  auto bimodal = [](size_t fast, uint32_t seed) {
    std::vector<double> v = samples(kStepMs, seed, 0.002, fast);
    const std::vector<double> slow = samples(kStepMs * 1.07, seed + 100, 0.002, 300 - fast);
    v.insert(v.end(), slow.begin(), slow.end());
    return v;
  };
  const Result r =
      evaluate({trial("tg128", bimodal(151, 1))}, {trial("tg128", bimodal(149, 2))}, {});
  const Finding& f = only(r, "speed");
  ASSERT_LT(f.change, -0.03) << "the set-up must drop beyond the threshold";
  ASSERT_GE(f.p_value, 0.002) << "the set-up must not be significant";
  EXPECT_FALSE(f.failed);
  EXPECT_TRUE(f.note);
  EXPECT_NE(f.detail.find("not significant"), std::string::npos) << f.detail;
  EXPECT_EQ(r.verdict, Verdict::pass) << r.summary;
}

TEST(Gate, AFasterCandidateIsNeverARegression) {
  const Result r = gate_one("tg128", 0.80);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.summary;
  EXPECT_GT(only(r, "speed").change, 0.2);
}

TEST(Gate, PrefillUsesItsOwnThreshold) {
  EXPECT_EQ(gate_one("pp512", 1.04).verdict, Verdict::pass);  // 3.8% < 5%
  EXPECT_EQ(gate_one("tg128", 1.04).verdict, Verdict::regression);
  EXPECT_EQ(gate_one("pp512", 1.07).verdict, Verdict::regression);
  EXPECT_DOUBLE_EQ(only(gate_one("pp512", 1.0), "speed").threshold, 0.05);
}

TEST(Gate, PerWorkloadOverrideApplies) {
  Thresholds t;
  t.per_workload_drop["tg128@ctx4096"] = 0.05;
  EXPECT_EQ(gate_one("tg128@ctx4096", 1.04, t).verdict, Verdict::pass);
  EXPECT_EQ(gate_one("tg128", 1.04, t).verdict, Verdict::regression);
  EXPECT_DOUBLE_EQ(t.drop_for("tg128@ctx4096"), 0.05);
  EXPECT_DOUBLE_EQ(t.drop_for("tg128@ctx8192"), 0.03);
}

// Graphs-off trials get at least graphs_off_drop: a 20% eager slowdown (host noise on a VM) passes
// with 0.3, the same slowdown with graphs on still fails, and 0 keeps the workload's drop.
TEST(Gate, GraphsOffDropLoosensOnlyGraphsOffTrials) {
  Thresholds t;
  t.graphs_off_drop = 0.3;
  t.per_workload_drop["tg128@ctx4096"] = 0.05;
  auto gate = [&](bool graphs, const Thresholds& th) {
    return evaluate({trial("tg128", samples(kStepMs, 1), graphs)},
                    {trial("tg128", samples(kStepMs * 1.2, 2), graphs)}, th);
  };
  EXPECT_EQ(gate(false, t).verdict, Verdict::pass);
  EXPECT_DOUBLE_EQ(only(gate(false, t), "speed").threshold, 0.3);
  EXPECT_EQ(gate(true, t).verdict, Verdict::regression);
  EXPECT_EQ(gate(false, {}).verdict, Verdict::regression);
  EXPECT_DOUBLE_EQ(t.drop_for("tg128", false), 0.3);
  EXPECT_DOUBLE_EQ(t.drop_for("tg128", true), 0.03);
  EXPECT_DOUBLE_EQ(t.drop_for("tg128@ctx4096", true), 0.05);
  t.graphs_off_drop = 0.01;  // never tighter than the workload's own drop
  EXPECT_DOUBLE_EQ(t.drop_for("tg128@ctx4096", false), 0.05);
  EXPECT_DOUBLE_EQ(t.drop_for("pp512", false), 0.05);
}

TEST(Gate, GraphsRatioBelowMinimumFails) {
  auto run = [](double off_slowdown) {
    const std::vector<Trial> both{trial("tg128", samples(kStepMs, 1), true),
                                  trial("tg128", samples(kStepMs * off_slowdown, 2), false)};
    return evaluate(both, both, {});
  };
  const Result low = run(1.2);
  EXPECT_EQ(low.verdict, Verdict::regression) << low.summary;
  const Finding& f = only(low, "graphs_ratio");
  EXPECT_TRUE(f.failed);
  EXPECT_NEAR(f.ratio, 1.2, 0.01);
  EXPECT_EQ(f.label, "rmsnorm=warp_shuffle | tg128 | graphs on/off");

  const Result high = run(1.5);
  EXPECT_EQ(high.verdict, Verdict::pass) << high.summary;
  EXPECT_FALSE(only(high, "graphs_ratio").failed);
}

Result gate_equality(const std::string& declared, const std::string& verdict) {
  Trial c = trial("tg128", samples(kStepMs, 2));
  c.declared = declared;
  c.equality = verdict;
  return evaluate({trial("tg128", samples(kStepMs, 1))}, {c}, {});
}

TEST(Gate, DeclaredBitwiseWithNmseVerdictFails) {
  const Result r = gate_equality("bitwise", "nmse<=2.1e-07");
  EXPECT_EQ(r.verdict, Verdict::regression);
  EXPECT_TRUE(only(r, "equality").failed);
  EXPECT_EQ(gate_equality("bitwise", "ulp<=1").verdict, Verdict::regression);
  EXPECT_EQ(gate_equality("bitwise", "bitwise").verdict, Verdict::pass);
}

TEST(Gate, ReassociatingVariantWithTop1Passes) {
  const Result r = gate_equality("reassociates", "top1");
  EXPECT_EQ(r.verdict, Verdict::pass) << r.summary;
  EXPECT_FALSE(only(r, "equality").failed);
  EXPECT_EQ(gate_equality("reassociates", "nmse<=3e-06").verdict, Verdict::pass);
  EXPECT_EQ(gate_equality("reassociates", "greedy").verdict, Verdict::regression);
}

TEST(Gate, DivergedAlwaysFails) {
  for (const char* declared : {"bitwise", "reassociates"}) {
    const Result r = gate_equality(declared, "diverged@17");
    EXPECT_EQ(r.verdict, Verdict::regression) << declared;
    EXPECT_NE(only(r, "equality").detail.find("diverged"), std::string::npos);
  }
}

TEST(Gate, UnknownEqualityVerdictIsAnError) {
  EXPECT_EQ(gate_equality("bitwise", "close enough").verdict, Verdict::error);
}

TEST(Gate, CrashedCandidateFails) {
  Trial c = trial("tg128", {}, true);
  c.status = "crashed";
  c.error = "CUDA error: an illegal memory access was encountered";
  const Result r = evaluate({trial("tg128", samples(kStepMs, 1))}, {c}, {});
  EXPECT_EQ(r.verdict, Verdict::regression) << r.summary;
  const Finding& f = only(r, "status");
  EXPECT_TRUE(f.failed);
  EXPECT_NE(f.detail.find("illegal memory access"), std::string::npos) << f.detail;
}

TEST(Gate, SkippedInBothIsNotAFailure) {
  Trial b = trial("tg128", samples(kStepMs, 1), true, "matvec.q4_1=v3_small");
  Trial c = b;
  b.status = c.status = "skipped";
  const Trial ok = trial("tg128", samples(kStepMs, 3));
  const Result r = evaluate({b, ok}, {c, ok}, {});
  EXPECT_EQ(r.verdict, Verdict::pass) << r.summary;
}

TEST(Gate, UnhealthyPairTurnsFailureIntoWarning) {
  Trial b = trial("tg128", samples(kStepMs, 1));
  Trial c = trial("tg128", samples(kStepMs * 1.06, 2));
  c.healthy = false;
  c.evidence = {"throttled in 12 of 40 samples (sw-thermal), SM 1410..1980 MHz"};
  const Result r = evaluate({b}, {c}, {});
  EXPECT_EQ(r.verdict, Verdict::pass) << r.summary;
  EXPECT_EQ(exit_code(r.verdict), 0);
  const Finding& f = only(r, "speed");
  EXPECT_TRUE(f.failed);
  EXPECT_TRUE(f.warning_only);
  ASSERT_EQ(f.evidence.size(), 1u);
  EXPECT_NE(f.evidence[0].find("candidate: throttled in 12 of 40"), std::string::npos);
  EXPECT_NE(r.markdown().find("sw-thermal"), std::string::npos) << r.markdown();
}

TEST(Gate, NothingPairedIsAnError) {
  const Result r = evaluate({trial("tg128", samples(kStepMs, 1), true, "")},
                            {trial("tg128", samples(kStepMs, 2), true, "rope=fused")}, {});
  EXPECT_EQ(r.verdict, Verdict::error);
  EXPECT_EQ(exit_code(r.verdict), 2);
  EXPECT_EQ(r.paired, 0u);
  EXPECT_EQ(evaluate({}, {}, {}).verdict, Verdict::error);
  EXPECT_EQ(evaluate({trial("tg128", samples(kStepMs, 1))}, {}, {}).verdict, Verdict::error);
}

TEST(Gate, OtherGpuModelIsNotComparable) {
  Trial c = trial("tg128", samples(kStepMs, 2));
  c.gpu_name = "NVIDIA H200";
  const Result r = evaluate({trial("tg128", samples(kStepMs, 1))}, {c}, {});
  EXPECT_EQ(r.verdict, Verdict::not_comparable) << r.summary;
  EXPECT_EQ(exit_code(r.verdict), 3);
  EXPECT_NE(r.summary.find("NVIDIA H200"), std::string::npos) << r.summary;

  Trial other_driver = trial("tg128", samples(kStepMs, 2));
  other_driver.driver = "560.35.03";
  EXPECT_EQ(evaluate({trial("tg128", samples(kStepMs, 1))}, {other_driver}, {}).verdict,
            Verdict::not_comparable);
}

TEST(Gate, UnpairedTrialsAreReportedWithoutFailing) {
  const Result r =
      evaluate({trial("tg128", samples(kStepMs, 1)), trial("tg128@ctx4096", samples(kStepMs, 3))},
               {trial("tg128", samples(kStepMs, 2)), trial("pp512", samples(kStepMs, 4))}, {});
  EXPECT_EQ(r.verdict, Verdict::pass) << r.summary;
  EXPECT_EQ(r.paired, 1u);
  std::vector<std::string> details;
  for (const Finding& f : r.findings)
    if (f.kind == "unpaired") details.push_back(f.label + ": " + f.detail);
  ASSERT_EQ(details.size(), 2u);
  EXPECT_NE(details[0].find("pp512"), std::string::npos) << details[0];
  EXPECT_NE(details[0].find("new in candidate"), std::string::npos) << details[0];
  EXPECT_NE(details[1].find("tg128@ctx4096"), std::string::npos) << details[1];
  EXPECT_NE(details[1].find("missing in candidate"), std::string::npos) << details[1];
}

TEST(Gate, TiedSamplesAreNoEvidenceUnlessTheyDiffer) {
  const std::vector<double> flat(300, kStepMs);
  EXPECT_EQ(evaluate({trial("tg128", flat)}, {trial("tg128", flat)}, {}).verdict, Verdict::pass);
  const std::vector<double> slower(300, kStepMs * 1.06);
  EXPECT_EQ(evaluate({trial("tg128", flat)}, {trial("tg128", slower)}, {}).verdict,
            Verdict::regression);
}

TEST(Gate, NearZeroStepTimesAreJudgedButZeroIsAnError) {
  // Microsecond steps (a tiny model on the CPU) are fine: the test works on ranks.
  EXPECT_EQ(evaluate({trial("tg128", samples(1e-6, 1))}, {trial("tg128", samples(1.06e-6, 2))}, {})
                .verdict,
            Verdict::regression);
  std::vector<double> broken = samples(kStepMs, 2);
  broken[7] = 0;
  const Result r = evaluate({trial("tg128", samples(kStepMs, 1))}, {trial("tg128", broken)}, {});
  EXPECT_EQ(r.verdict, Verdict::error) << r.summary;
}

TEST(Gate, ThresholdsFileRoundTripsAndRejectsUnknownKeys) {
  test::TempDir dir;
  Thresholds t;
  t.decode_drop = 0.025;
  t.min_graphs_ratio = 1.5;
  t.per_workload_drop = {{"tg128@ctx4096", 0.05}, {"pp2048", 0.08}};
  t.graphs_off_drop = 0.35;
  const std::string path = dir.file("thresholds.json").string();
  std::ofstream(path) << t.to_json().dump(2);
  EXPECT_EQ(Thresholds::load(path), t);

  // Missing keys keep their defaults.
  EXPECT_EQ(Thresholds::parse(nlohmann::json::parse(R"({"decode_drop": 0.04})")).prefill_drop,
            0.05);
  // The shipped example is a valid file.
  EXPECT_NO_THROW(
      Thresholds::load(std::string(SWAPBENCH_SOURCE_DIR) + "/ci/thresholds.example.json"));

  auto message = [&](const std::string& text) {
    std::ofstream(path) << text;
    try {
      Thresholds::load(path);
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string unknown = message(R"({"decode_drp": 0.03})");
  EXPECT_NE(unknown.find(path), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("'decode_drp'"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("unknown key"), std::string::npos) << unknown;
  EXPECT_NE(message(R"({"p_value": "0.002"})").find("'p_value'"), std::string::npos);
  EXPECT_NE(message(R"({"decode_drop": 1.5})").find("[0, 1)"), std::string::npos);
  EXPECT_NE(message(R"({"graphs_off_drop": 1})").find("'graphs_off_drop'"), std::string::npos);
  EXPECT_NE(message(R"({"version": 2})").find("'version'"), std::string::npos);
  EXPECT_NE(message(R"({"per_workload_drop": {"tg128": -1}})").find("per_workload_drop.tg128"),
            std::string::npos);
  EXPECT_NE(message("{not json").find("not JSON"), std::string::npos);
  EXPECT_EQ(message("{not json").find('\n'), std::string::npos) << "one line";
  EXPECT_THROW(Thresholds::load(dir.file("absent.json").string()), std::runtime_error);
}

TEST(Gate, MarkdownNamesTheRegressedTrial) {
  const Result r = evaluate(
      {trial("tg128", samples(kStepMs, 1)), trial("tg128@ctx4096", samples(kStepMs, 3))},
      {trial("tg128", samples(kStepMs * 1.06, 2)), trial("tg128@ctx4096", samples(kStepMs, 4))},
      {});
  ASSERT_EQ(r.verdict, Verdict::regression);
  const std::string md = r.markdown();
  EXPECT_NE(md.find("REGRESSION (exit 1)"), std::string::npos) << md;
  // In the table the label's bars are escaped so that they do not split the cell.
  const size_t row = md.find("| rmsnorm=warp_shuffle \\| tg128 \\| graphs on | ");
  ASSERT_NE(row, std::string::npos) << md;
  const std::string line = md.substr(row, md.find('\n', row) - row);
  EXPECT_NE(line.find("| -5.7"), std::string::npos) << line;
  EXPECT_NE(line.find("**REGRESSION**"), std::string::npos) << line;
  EXPECT_NE(md.find("#### Failures"), std::string::npos) << md;
  EXPECT_NE(md.find("- `rmsnorm=warp_shuffle | tg128 | graphs on` (speed): regressed"),
            std::string::npos)
      << md;
  EXPECT_EQ(md.find("`rmsnorm=warp_shuffle | tg128@ctx4096 | graphs on` (speed)"),
            std::string::npos)
      << "a passing pair is not listed as a failure\n"
      << md;
  EXPECT_EQ(r.to_json()["exit_code"], 1);
}

}  // namespace
}  // namespace swapbench::gate
