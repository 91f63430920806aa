// Sweep planners on a generated tiny model: one-at-a-time varies one slot at a time, cartesian
// enumerates combinations within its bound, file plans are read and canonicalised, shards
// split the list deterministically.
#include "runner/sweep_planner.h"

#include <gtest/gtest.h>

#include <fstream>

#include "runner/model/model_gen.h"
#include "runner/plan.h"
#include "support/test_support.h"

namespace swapbench {
namespace {

class Planner : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir;
    const std::string p = dir_->file("tiny.gguf").string();
    generate_model(p, {.shape = "tiny", .quant = DType::q4_1, .seed = 2});
    model_ = LlamaModel::load(p).release();
  }
  static void TearDownTestSuite() {
    delete model_;
    delete dir_;
  }
  static inline test::TempDir* dir_ = nullptr;
  static inline LlamaModel* model_ = nullptr;
};

TEST_F(Planner, OneAtATimeRunsEachCpuVariantAloneAfterTheReference) {
  const auto plans = plan_sweep(*model_, Backend::cpu, {.planner = "one-at-a-time"});
  ASSERT_GE(plans.size(), 3u);
  EXPECT_EQ(plans[0], "");
  EXPECT_NE(std::find(plans.begin(), plans.end(), "rmsnorm=cpu_lanes"), plans.end());
  EXPECT_NE(std::find(plans.begin(), plans.end(), "swiglu=cpu_float"), plans.end());
  for (const std::string& p : plans) EXPECT_EQ(p.find(','), std::string::npos) << p;
}

TEST_F(Planner, SlotFilterKeepsOnlyThoseSlots) {
  const auto plans = plan_sweep(*model_, Backend::cpu, {.planner = "one-at-a-time", .slots = {"swiglu"}});
  EXPECT_EQ(plans, (std::vector<std::string>{"", "swiglu=cpu_float"}));
  EXPECT_THROW(plan_sweep(*model_, Backend::cpu, {.slots = {"layernorm"}}), std::invalid_argument);
}

TEST_F(Planner, CartesianEnumeratesEveryCombinationWithinItsBound) {
  const auto plans = plan_sweep(*model_, Backend::cpu, {.planner = "cartesian"});
  // rmsnorm x swiglu x attn_in x ffn_in x wo_ffn_in, two choices each
  EXPECT_EQ(plans.size(), 32u);
  EXPECT_NE(std::find(plans.begin(), plans.end(), "rmsnorm=cpu_lanes,swiglu=cpu_float"),
            plans.end());
  EXPECT_NE(std::find(plans.begin(), plans.end(),
                      "attn_in.q4_1=cpu_fused,ffn_in.q4_1=cpu_fused,rmsnorm=cpu_lanes,"
                      "swiglu=cpu_float"),
            plans.end());
  EXPECT_THROW(plan_sweep(*model_, Backend::cpu, {.planner = "cartesian", .max_plans = 31}),
               std::invalid_argument);
}

TEST_F(Planner, FilePlansAreCanonicalAndDeduplicated) {
  const auto path = dir_->file("plans.txt");
  std::ofstream(path) << "# nightly plans\nswiglu=cpu_float , rmsnorm=cpu_lanes\n\n"
                         "rmsnorm=cpu_lanes,swiglu=cpu_float  # same plan again\n";
  const auto plans = plan_sweep(*model_, Backend::cpu, {.planner = "file", .file = path.string()});
  EXPECT_EQ(plans, (std::vector<std::string>{"", "rmsnorm=cpu_lanes,swiglu=cpu_float"}));
  EXPECT_THROW(plan_sweep(*model_, Backend::cpu, {.planner = "file", .file = "/nonexistent"}),
               std::invalid_argument);
  EXPECT_THROW(plan_sweep(*model_, Backend::cpu, {.planner = "random"}), std::invalid_argument);
}

// A misspelt name in a nightly plan file stops the sweep before anything runs, naming the line;
// a plan only the other backend can run stays in (its trials are skipped with the reason).
TEST_F(Planner, FilePlanWithANameNoBackendKnowsThrowsNamingItsLine) {
  const auto path = dir_->file("typo.txt");
  std::ofstream(path) << "rmsnorm=cpu_lanes\n# a comment\nrmsnorm=cpu_lanez\n";
  try {
    plan_sweep(*model_, Backend::cpu, {.planner = "file", .file = path.string()});
    ADD_FAILURE() << "a plan file naming variant cpu_lanez was accepted";
  } catch (const PlanError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("line 3"), std::string::npos) << what;
    EXPECT_NE(what.find("cpu_lanez"), std::string::npos) << what;
    EXPECT_NE(what.find("cpu_lanes"), std::string::npos) << what;  // the valid names are listed
  }
  std::ofstream(path) << "rmsnorm=cpu_lanes[no_such_param=1]\n";
  EXPECT_THROW(plan_sweep(*model_, Backend::cpu, {.planner = "file", .file = path.string()}),
               PlanError);

  // rmsnorm.warp_shuffle is a CUDA variant: on the CPU it is not an error but a plan to skip,
  // when this build registers it; in a build without CUDA no backend knows it.
  std::ofstream(path) << "rmsnorm=warp_shuffle\n";
  const PlannerOptions file{.planner = "file", .file = path.string()};
  if (Registry::instance().find("rmsnorm", "warp_shuffle")) {
    EXPECT_EQ(plan_sweep(*model_, Backend::cpu, file),
              (std::vector<std::string>{"", "rmsnorm=warp_shuffle"}));
  } else {
    EXPECT_THROW(plan_sweep(*model_, Backend::cpu, file), PlanError);
  }
}

TEST(Shard, SharesAreDisjointCompleteAndDeterministic) {
  const std::vector<int> items{0, 1, 2, 3, 4, 5, 6};
  std::vector<int> all;
  for (int i = 0; i < 3; ++i) {
    const auto s = shard(items, i, 3);
    all.insert(all.end(), s.begin(), s.end());
    EXPECT_EQ(s, shard(items, i, 3));
  }
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, items);
  EXPECT_THROW(shard(items, 3, 3), std::invalid_argument);
  EXPECT_THROW(shard(items, 0, 0), std::invalid_argument);
}

}  // namespace
}  // namespace swapbench
