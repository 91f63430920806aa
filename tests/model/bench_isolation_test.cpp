// `bench` isolates every trial in a child process: an abort becomes `crashed` with the signal,
// a hang becomes `timeout`, and the trials after them still run. `diff` names the first slot
// output that differs between two trials.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "runner/model/model_gen.h"
#include "support/test_support.h"

namespace swapbench {
namespace {

using test::run_command;

class BenchIsolation : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir;
    model_ = dir_->file("tiny.gguf").string();
    generate_model(model_, {.shape = "tiny", .quant = DType::q4_1, .seed = 9});
  }
  static void TearDownTestSuite() { delete dir_; }
  static nlohmann::json read_json(const std::string& path) {
    const auto b = test::read_bytes(path);
    return nlohmann::json::parse(std::string(b.begin(), b.end()));
  }
  static inline test::TempDir* dir_ = nullptr;
  static inline std::string model_;
};

TEST_F(BenchIsolation, AbortAndHangAreRecordedAndTheSweepGoesOn) {
  const std::string json = dir_->file("iso.json").string();
  const auto r = run_command(test::faulty_binary() + " bench --backend cpu -m '" + model_ +
                             "' -w tg6 --max-seconds 0.5 --timeout 5 --plan rmsnorm=test_abort"
                             " --plan rmsnorm=test_hang --plan rmsnorm=cpu_lanes --json '" +
                             json + "'");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;  // failures make bench exit 1
  const auto j = read_json(json);
  ASSERT_EQ(j["trials"].size(), 4u);
  std::map<std::string, nlohmann::json> by_plan;
  for (const auto& t : j["trials"]) by_plan[t["spec"]["plan"]] = t;
  EXPECT_EQ(by_plan[""]["status"], "ok");
  EXPECT_EQ(by_plan["rmsnorm=test_abort"]["status"], "crashed");
  EXPECT_NE(by_plan["rmsnorm=test_abort"]["error"].get<std::string>().find("signal 6"),
            std::string::npos);
  EXPECT_EQ(by_plan["rmsnorm=test_hang"]["status"], "timeout");
  EXPECT_EQ(by_plan["rmsnorm=cpu_lanes"]["status"], "ok");
  EXPECT_EQ(by_plan["rmsnorm=cpu_lanes"]["equality"].get<std::string>().rfind("nmse", 0), 0u);
}

TEST_F(BenchIsolation, TestOnlyVariantsAreNotOfferedByTheUserBinary) {
  const auto r = run_command(test::swapbench_binary() + " bench --backend cpu -m '" + model_ +
                             "' -w tg2 --plan rmsnorm=test_abort");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown variant 'test_abort'"), std::string::npos) << r.err;
  const auto list = run_command(test::faulty_binary() + " list variants");
  EXPECT_EQ(list.out.find("test_abort"), std::string::npos);
}

TEST_F(BenchIsolation, DiffNamesTheFirstDifferingSlotLayerAndStep) {
  auto trial = [&](const std::string& plan, const std::string& name) {
    const std::string spec = dir_->file(name + ".spec.json").string();
    const std::string out = dir_->file(name + ".json").string();
    test::write_bytes(spec, [&] {
      const std::string s = nlohmann::json{{"model", model_}, {"plan", plan}, {"workload", "tg4"},
                                           {"taps_steps", 2}, {"stop", {{"max_seconds", 0.3}}}}
                                .dump();
      return std::vector<uint8_t>(s.begin(), s.end());
    }());
    const auto r = run_command(test::swapbench_binary() + " trial --spec '" + spec + "'");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    test::write_bytes(out, std::vector<uint8_t>(r.out.begin(), r.out.end()));
    return out;
  };
  const std::string ref = trial("", "ref"), alt = trial("swiglu=cpu_float", "alt");
  const auto same = run_command(test::swapbench_binary() + " diff '" + ref + "' '" + ref + "'");
  EXPECT_EQ(same.exit_code, 0);
  EXPECT_NE(same.out.find("no difference"), std::string::npos);
  const auto d = run_command(test::swapbench_binary() + " diff '" + alt + "' '" + ref + "'");
  EXPECT_EQ(d.exit_code, 1) << d.err;
  EXPECT_NE(d.out.find("step 0, layer 0, swiglu (swiglu: cpu_float vs cpu_ref)"),
            std::string::npos)
      << d.out;
}

}  // namespace
}  // namespace swapbench
