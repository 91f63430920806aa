// Trials on the CPU with a generated tiny model: spec/result JSON, the stopping rule and time
// cap, every sample kept, fingerprints, slot attribution, and taps that locate a reassociating
// variant at the right slot, layer and step.
#include "runner/trial.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "harness/cpu_affinity.h"
#include "runner/model/model_gen.h"
#include "support/test_support.h"

namespace swapbench {
namespace {

class Trial : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir;
    model_ = dir_->file("tiny.gguf").string();
    generate_model(model_, {.shape = "tiny", .quant = DType::q4_1, .seed = 5});
  }
  static void TearDownTestSuite() { delete dir_; }
  static TrialSpec spec(const std::string& plan = "", const std::string& workload = "tg12") {
    TrialSpec s;
    s.model = model_;
    s.plan = plan;
    s.workload = workload;
    s.stop.max_seconds = 2.0;
    return s;
  }
  static inline test::TempDir* dir_ = nullptr;
  static inline std::string model_;
};

TEST_F(Trial, SpecSurvivesAJsonRoundTrip) {
  TrialSpec s = spec("rmsnorm=cpu_lanes", "tg64@ctx128");
  s.stop.rel_half_width = 0.01;
  s.taps_steps = 3;
  s.hollow = {"attn", "ffn_down"};
  const TrialSpec back = spec_from_json(to_json(s));
  EXPECT_EQ(to_json(back), to_json(s));
  EXPECT_EQ(back.hollow, s.hollow);
  EXPECT_THROW(spec_from_json(nlohmann::json{{"plan", "x"}}), std::runtime_error);
  EXPECT_THROW(spec_from_json(nlohmann::json{{"model", "m"}, {"graphs", "yes"}}),
               std::runtime_error);
}

TEST_F(Trial, KeepsEverySampleAndStopsByTheRule) {
  const TrialResult r = run_trial(spec());
  ASSERT_EQ(r.status, "ok") << r.error;
  EXPECT_GE(r.reps, 3);
  EXPECT_EQ(r.samples_ms.size(), size_t(r.reps) * 12u);
  EXPECT_TRUE(r.stop_reason == "converged" || r.stop_reason == "time_cap") << r.stop_reason;
  if (r.stop_reason == "converged") EXPECT_LE(r.summary.relative_half_width(), 0.005);
  EXPECT_NEAR(r.tokens_per_second, 1000.0 / r.summary.median, 1e-9);
  EXPECT_EQ(r.tokens.size(), 12u);
  EXPECT_EQ(r.fingerprints.size(), 12u);
  double share = 0;
  for (const SlotShare& s : r.slots) share += s.share;
  EXPECT_NEAR(share, 1.0, 1e-9);
  EXPECT_EQ(r.variants.at("rmsnorm"), "cpu_ref");
  const TrialResult back = result_from_json(to_json(r));
  EXPECT_EQ(to_json(back), to_json(r)) << "the result must survive the trip through a child's pipe";
}

// A pinned trial runs on its CPU and says so; the caller's set is back afterwards; a bad list is
// the trial's error, not a crash.
TEST_F(Trial, CpusPinTheTrialAndCpusSeenRecordsWhereItRan) {
  const std::vector<int> before = affinity::allowed_cpus();
  TrialSpec s = spec();
  s.cpus = std::to_string(before.back());
  s.stop.max_seconds = 0.3;
  const TrialResult r = run_trial(s);
  ASSERT_EQ(r.status, "ok") << r.error;
  EXPECT_EQ(r.cpus_seen, (std::vector<int32_t>{before.back()}));
  EXPECT_EQ(affinity::allowed_cpus(), before);
  const TrialResult back = result_from_json(to_json(r));
  EXPECT_EQ(back.spec.cpus, s.cpus);
  EXPECT_EQ(back.cpus_seen, r.cpus_seen);

  const TrialResult unpinned = run_trial(spec());
  ASSERT_EQ(unpinned.status, "ok") << unpinned.error;
  ASSERT_FALSE(unpinned.cpus_seen.empty());
  for (int32_t c : unpinned.cpus_seen)
    EXPECT_TRUE(std::find(before.begin(), before.end(), c) != before.end()) << c;

  s.cpus = "1-x";
  const TrialResult bad = run_trial(s);
  EXPECT_EQ(bad.status, "error");
  EXPECT_NE(bad.error.find("cpu list '1-x'"), std::string::npos) << bad.error;
}

TEST_F(Trial, TimeCapEndsATrialThatCannotConverge) {
  TrialSpec s = spec();
  s.stop.rel_half_width = 1e-12;  // unreachable
  s.stop.max_seconds = 0.2;
  const TrialResult r = run_trial(s);
  ASSERT_EQ(r.status, "ok") << r.error;
  EXPECT_EQ(r.stop_reason, "time_cap");
}

TEST_F(Trial, SameWorkTwiceGivesTheSameFingerprints) {
  const TrialResult a = run_trial(spec());
  const TrialResult b = run_trial(spec());
  EXPECT_EQ(a.fingerprints, b.fingerprints);
  const TrialResult c = run_trial(spec("rmsnorm=cpu_lanes"));
  EXPECT_NE(a.fingerprints, c.fingerprints);
}

TEST_F(Trial, TapsLocateTheFirstReassociatingSlot) {
  TrialSpec ref = spec(), lanes = spec("rmsnorm=cpu_lanes"), flt = spec("swiglu=cpu_float");
  ref.taps_steps = lanes.taps_steps = flt.taps_steps = 2;
  const TrialResult r = run_trial(ref), a = run_trial(lanes), b = run_trial(flt);
  ASSERT_FALSE(r.taps.empty());
  EXPECT_FALSE(taps::first_difference(r.taps, r.taps));

  const auto d1 = taps::first_difference(a.taps, r.taps);
  ASSERT_TRUE(d1);
  EXPECT_EQ(d1->a.step, 0);
  EXPECT_EQ(d1->a.layer, 0);
  EXPECT_EQ(d1->a.site, "attn_norm");
  EXPECT_EQ(d1->a.variant, "cpu_lanes");

  const auto d2 = taps::first_difference(b.taps, r.taps);
  ASSERT_TRUE(d2);
  EXPECT_EQ(d2->a.step, 0);
  EXPECT_EQ(d2->a.layer, 0);
  EXPECT_EQ(d2->a.site, "swiglu");
  EXPECT_NE(d2->describe().find("swiglu: cpu_float vs cpu_ref"), std::string::npos)
      << d2->describe();
}

// A fused slot has no tap of its own in the reference trial: the comparison skips it and names
// the first common site whose output differs (the attention after attn_in), in either order.
TEST_F(Trial, TapsLineUpAcrossAFusedSlot) {
  TrialSpec ref = spec(), fused = spec("attn_in=cpu_fused");
  ref.taps_steps = fused.taps_steps = 2;
  const TrialResult r = run_trial(ref), f = run_trial(fused);
  ASSERT_LT(f.taps.size(), r.taps.size());
  for (const auto& [a, b] : {std::pair{&f, &r}, std::pair{&r, &f}}) {
    const auto d = taps::first_difference(a->taps, b->taps);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->a.step, 0);
    EXPECT_EQ(d->a.layer, 0);
    EXPECT_EQ(d->a.site, "attn");
  }
}

TEST_F(Trial, BadInputBecomesAnErrorOrASkip) {
  TrialSpec missing = spec();
  missing.model = dir_->file("nope.gguf").string();
  EXPECT_EQ(run_trial(missing).status, "error");
  EXPECT_EQ(run_trial(spec("rmsnorm=nonesuch")).status, "skipped");
  EXPECT_EQ(run_trial(spec("", "tg0")).status, "error");
}

}  // namespace
}  // namespace swapbench
