// On the GPU, a variant that faults (an out-of-bounds write) becomes a `crashed` trial carrying
// the CUDA error text, a kernel that never ends becomes `timeout`, and the sweep goes on; a
// healthy CUDA trial keeps its samples, fingerprints, slot attribution and NVML health.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "gpu/gpu_support.h"
#include "runner/model/model_gen.h"
#include "runner/trial.h"
#include "support/test_support.h"

namespace swapbench {
namespace {

class GpuTrials : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir;
    model_ = dir_->file("tiny.gguf").string();
    generate_model(model_, {.shape = "tiny", .quant = DType::q4_1, .seed = 3});
  }
  static void TearDownTestSuite() { delete dir_; }
  static inline test::TempDir* dir_ = nullptr;
  static inline std::string model_;
};

TEST_F(GpuTrials, FaultAndHangAreRecordedAndTheSweepGoesOn) {
  SB_REQUIRE_GPU();
  const std::string json = dir_->file("iso.json").string();
  const auto r = test::run_command(
      test::faulty_binary() + " bench --backend cuda --graphs off -m '" + model_ +
      "' -w tg4 --max-seconds 0.5 --timeout 20 --plan rmsnorm=test_oob --plan rmsnorm=test_spin"
      " --plan rmsnorm=warp_shuffle --json '" + json + "'");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const auto bytes = test::read_bytes(json);
  const auto j = nlohmann::json::parse(std::string(bytes.begin(), bytes.end()));
  std::map<std::string, nlohmann::json> by_plan;
  for (const auto& t : j["trials"]) by_plan[t["spec"]["plan"]] = t;
  EXPECT_EQ(by_plan[""]["status"], "ok");
  EXPECT_EQ(by_plan["rmsnorm=test_oob"]["status"], "crashed") << by_plan["rmsnorm=test_oob"];
  const std::string err = by_plan["rmsnorm=test_oob"]["error"];
  EXPECT_TRUE(err.find("cudaError") != std::string::npos || err.find("illegal") != std::string::npos)
      << err;
  EXPECT_EQ(by_plan["rmsnorm=test_spin"]["status"], "timeout") << by_plan["rmsnorm=test_spin"];
  EXPECT_EQ(by_plan["rmsnorm=warp_shuffle"]["status"], "ok");
}

TEST_F(GpuTrials, CudaTrialKeepsSamplesFingerprintsSlotsAndHealth) {
  SB_REQUIRE_GPU();
  TrialSpec s;
  s.model = model_;
  s.backend = "cuda";
  s.workload = "tg16";
  s.stop.max_seconds = 1.0;
  const TrialResult r = run_trial(s);
  ASSERT_EQ(r.status, "ok") << r.error;
  EXPECT_EQ(r.samples_ms.size(), size_t(r.reps) * 16u);
  EXPECT_EQ(r.fingerprints.size(), 16u);
  EXPECT_FALSE(r.slots.empty());
  EXPECT_TRUE(r.health.sampled) << r.health.why_not_sampled;

  TrialSpec cpu = s;
  cpu.backend = "cpu";
  const TrialResult c = run_trial(cpu);
  ASSERT_EQ(c.status, "ok") << c.error;
  EXPECT_EQ(c.tokens, r.tokens) << "the tiny model's greedy tokens agree between backends";
}

}  // namespace
}  // namespace swapbench
