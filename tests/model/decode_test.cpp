// End-to-end decode on the CPU engine: the real SmolLM2 answers sensibly, generated models decode
// deterministically, the step is built only from slot calls, and plans change which variant runs.
#include "runner/decode.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <stdexcept>

#include "kernels/argmax/argmax.h"
#include "kernels/common/variant.h"
#include "runner/engine/engine.h"
#include "runner/model/model_gen.h"
#include "support/test_support.h"

namespace swapbench {
namespace {

DecodeResult decode(const LlamaModel& m, const std::string& prompt, int32_t n,
                    const std::string& plan = "", bool keep_logits = false) {
  auto engine = make_engine(Backend::cpu, m, Plan::parse(plan), {.max_ctx = 256});
  return greedy_decode(*engine, m.tokenizer(), prompt,
                       {.n_tokens = n, .stop_at_eos = false, .keep_logits = keep_logits});
}

TEST(RealModelDecode, CapitalOfFranceIsParis) {
  SB_REQUIRE_REAL_MODEL(path);
  auto m = LlamaModel::load(path.string());
  const DecodeResult r = decode(*m, "The capital of France is", 16);
  EXPECT_NE(r.text.find("Paris"), std::string::npos) << "continuation: " << r.text;
}

TEST(RealModelDecode, SixtyFourTokensDoNotCollapseIntoALoop) {
  SB_REQUIRE_REAL_MODEL(path);
  auto m = LlamaModel::load(path.string());
  const DecodeResult r = decode(*m, "Once upon a time, in a small village,", 64);
  ASSERT_EQ(r.ids.size(), 64u);
  const std::set<int32_t> last(r.ids.end() - 32, r.ids.end());
  EXPECT_GE(last.size(), 8u) << "degenerate continuation: " << r.text;
}

class TinyModel : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir;
    path_ = dir_->file("tiny.gguf").string();
    generate_model(path_, {.shape = "tiny", .quant = DType::q4_1, .seed = 7});
  }
  static void TearDownTestSuite() { delete dir_; }
  static inline test::TempDir* dir_ = nullptr;
  static inline std::string path_;
};

TEST_F(TinyModel, SameSeedGivesSameTokensAndByteIdenticalLogits) {
  auto m = LlamaModel::load(path_);
  const DecodeResult a = decode(*m, "hello world", 24, "", true);
  const DecodeResult b = decode(*m, "hello world", 24, "", true);
  ASSERT_EQ(a.ids, b.ids);
  ASSERT_EQ(a.logits.size(), 24u);
  for (size_t i = 0; i < a.logits.size(); ++i) {
    ASSERT_EQ(a.logits[i].size(), size_t(m->config().vocab));
    EXPECT_EQ(std::memcmp(a.logits[i].data(), b.logits[i].data(), a.logits[i].size() * 4), 0)
        << "step " << i;
  }
}

TEST_F(TinyModel, LogitsAreFiniteAndNotConstant) {
  auto m = LlamaModel::load(path_);
  const DecodeResult r = decode(*m, "abc", 4, "", true);
  for (const auto& step : r.logits) {
    float lo = step[0], hi = step[0];
    for (float v : step) {
      ASSERT_TRUE(std::isfinite(v));
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    EXPECT_GT(hi - lo, 1e-3f);
  }
}

class CountingObserver : public StepObserver {
 public:
  void after(const SlotCall& c) override {
    ++calls;
    slots.insert(*c.slot);
    variants.insert(c.binding->variant->info.key());
  }
  size_t calls = 0;
  std::set<std::string> slots, variants;
};

TEST_F(TinyModel, EveryOperationOfTheStepIsASlotCall) {
  auto m = LlamaModel::load(path_);
  auto engine = make_engine(Backend::cpu, *m, Plan::parse("rmsnorm=cpu_lanes"), {.max_ctx = 8});
  CountingObserver obs;
  engine->set_observer(&obs);
  engine->step(5, 0);
  EXPECT_EQ(obs.calls, engine->calls_per_step());
  EXPECT_EQ(obs.calls, 4u + 11u * size_t(m->config().n_layers));
  const std::set<std::string> expected{"embed",       "rmsnorm", "matvec.q4_1", "rope",
                                       "attn_decode", "matvec_residual.q4_1",
                                       "matvec_pair.q4_1", "swiglu", "matvec.q8_0", "argmax"};
  EXPECT_EQ(obs.slots, expected);
  EXPECT_TRUE(obs.variants.count("rmsnorm.cpu_lanes"));
  EXPECT_FALSE(obs.variants.count("rmsnorm.cpu_ref"));
}

TEST_F(TinyModel, ReassociatingVariantChangesLogitsOnlySlightly) {
  auto m = LlamaModel::load(path_);
  const DecodeResult ref = decode(*m, "hello", 8, "", true);
  const DecodeResult alt = decode(*m, "hello", 8, "rmsnorm=cpu_lanes", true);
  double num = 0, den = 0;
  for (size_t i = 0; i < ref.logits.size(); ++i)
    for (size_t j = 0; j < ref.logits[i].size(); ++j) {
      const double d = double(ref.logits[i][j]) - alt.logits[i][j];
      num += d * d;
      den += double(ref.logits[i][j]) * ref.logits[i][j];
    }
  EXPECT_LT(num / den, 1e-8);
}

// A plan naming a fused input slot's variant replaces a layer's norm/QKV/rope and
// norm/gate-up/swiglu groups with one call each; naming its reference keeps the separate calls.
TEST_F(TinyModel, FusedInputSlotsReplaceEightCallsPerLayerWithTwo) {
  auto m = LlamaModel::load(path_);
  const size_t layers = size_t(m->config().n_layers);
  auto fused = make_engine(Backend::cpu, *m, Plan::parse("attn_in=cpu_fused,ffn_in=cpu_fused"),
                           {.max_ctx = 8});
  CountingObserver obs;
  fused->set_observer(&obs);
  fused->step(5, 0);
  EXPECT_EQ(obs.calls, 4u + 5u * layers);
  EXPECT_EQ(fused->calls_per_step(), obs.calls);
  const std::set<std::string> expected{"embed", "attn_in.q4_1", "attn_decode",
                                       "matvec_residual.q4_1", "ffn_in.q4_1", "rmsnorm",
                                       "matvec.q8_0", "argmax"};
  EXPECT_EQ(obs.slots, expected);

  auto named_ref = make_engine(Backend::cpu, *m, Plan::parse("attn_in=cpu_ref,ffn_in=cpu_ref"),
                               {.max_ctx = 8});
  EXPECT_EQ(named_ref->calls_per_step(), 4u + 11u * layers);

  const DecodeResult ref = decode(*m, "hello", 8, "", true);
  const DecodeResult alt = decode(*m, "hello", 8, "attn_in=cpu_fused,ffn_in=cpu_fused", true);
  double num = 0, den = 0;
  bool identical = true;
  for (size_t i = 0; i < ref.logits.size(); ++i)
    for (size_t j = 0; j < ref.logits[i].size(); ++j) {
      const double d = double(ref.logits[i][j]) - alt.logits[i][j];
      identical = identical && d == 0;
      num += d * d;
      den += double(ref.logits[i][j]) * ref.logits[i][j];
    }
  EXPECT_LT(num / den, 1e-8);
  EXPECT_FALSE(identical) << "the float norm should change some bits: is the fused path used?";
}

// wo_ffn_in.cpu_fused is wo's reference and ffn_in.cpu_fused in one call: the decode must give
// the bytes of the plan that makes those two calls separately, with one call fewer per layer, and
// x (updated in place by the fused call) must reach down and the next layer.
TEST_F(TinyModel, WoFfnInGivesTheBytesOfTheTwoCallsItJoins) {
  auto m = LlamaModel::load(path_);
  const size_t layers = size_t(m->config().n_layers);
  auto joined = make_engine(Backend::cpu, *m, Plan::parse("wo_ffn_in=cpu_fused"), {.max_ctx = 8});
  CountingObserver obs;
  joined->set_observer(&obs);
  joined->step(5, 0);
  EXPECT_EQ(obs.calls, 4u + 8u * layers);  // norm, q, k, v, rope, attn, wo_ffn_in, down
  EXPECT_EQ(joined->calls_per_step(), obs.calls);
  const std::set<std::string> expected{"embed",       "rmsnorm",        "matvec.q4_1",
                                       "rope",        "attn_decode",    "wo_ffn_in.q4_1",
                                       "matvec_residual.q4_1",  // down
                                       "matvec.q8_0", "argmax"};
  EXPECT_EQ(obs.slots, expected);

  const DecodeResult two = decode(*m, "hello", 8, "ffn_in=cpu_fused", true);
  const DecodeResult one = decode(*m, "hello", 8, "wo_ffn_in=cpu_fused", true);
  const DecodeResult ref = decode(*m, "hello", 8, "", true);
  ASSERT_EQ(two.logits.size(), one.logits.size());
  bool differs_from_ref = false;
  for (size_t i = 0; i < two.logits.size(); ++i) {
    ASSERT_EQ(two.logits[i], one.logits[i]) << "step " << i;
    differs_from_ref = differs_from_ref || two.logits[i] != ref.logits[i];
  }
  EXPECT_EQ(two.ids, one.ids);
  EXPECT_TRUE(differs_from_ref) << "ffn_in.cpu_fused's float norm should change some bits";
}

// A CPU argmax that uses zeroed memory as a GPU ticket counter would (LaunchCtx::zeroed): it
// insists on finding the memory zero on entry, dirties it while it works, and leaves it zero.
constexpr size_t kTicketBytes = 16;
int g_ticket_calls = 0;
void register_ticket_argmax() {
  static const bool registered = [] {
    register_variant<argmax::Args>(
        {.slot = "argmax",
         .name = "test_ticket",
         .backend = Backend::cpu,
         .equality = Equality::bitwise,
         .zeroed_bytes = [](const Shape&) { return kTicketBytes; },
         .test_only = true},
        +[](const argmax::Args& a, const LaunchCtx& ctx) {
          if (ctx.zeroed == nullptr) throw std::logic_error("no zeroed memory");
          auto* z = static_cast<uint8_t*>(ctx.zeroed);
          if (std::any_of(z, z + kTicketBytes, [](uint8_t c) { return c != 0; }))
            throw std::logic_error("zeroed memory not zero on entry");
          std::fill(z, z + kTicketBytes, uint8_t{0xAB});
          argmax::reference(a);
          std::fill(z, z + kTicketBytes, uint8_t{0});
          ++g_ticket_calls;
        });
    return true;
  }();
  ASSERT_TRUE(registered);
}

// The engine hands every call the step's zeroed memory, zero before the first step and as large
// as the largest declaration, so a variant that resets its counters serves every step.
TEST_F(TinyModel, ZeroedMemoryReachesEveryCallZero) {
  register_ticket_argmax();
  auto m = LlamaModel::load(path_);
  const DecodeResult ref = decode(*m, "hello", 8);
  g_ticket_calls = 0;
  const DecodeResult alt = decode(*m, "hello", 8, "argmax=test_ticket");
  EXPECT_EQ(alt.ids, ref.ids);
  EXPECT_GE(g_ticket_calls, 8);
}

TEST_F(TinyModel, PositionOutsideTheCacheIsRejected) {
  auto m = LlamaModel::load(path_);
  auto engine = make_engine(Backend::cpu, *m, Plan{}, {.max_ctx = 4});
  EXPECT_THROW(engine->step(1, 4), std::out_of_range);
  EXPECT_THROW(engine->step(m->config().vocab, 0), std::out_of_range);
}

// Fills the outputs of the watched roles with a finite sentinel before their call and counts,
// after it, the elements still holding it: all of them where the call wrote nothing.
class SentinelObserver : public StepObserver {
 public:
  static constexpr float kSentinel = -1234.5f;
  explicit SentinelObserver(std::set<std::string> roles) : roles_(std::move(roles)) {}
  void before(const SlotCall& c) override {
    if (!roles_.count(c.site)) return;
    float* out = const_cast<float*>(c.out);  // the CPU engine's own activations
    std::fill(out, out + c.out_n, kSentinel);
  }
  void after(const SlotCall& c) override {
    ++calls;
    if (!roles_.count(c.site)) return;
    Seen& s = seen[c.site];
    ++s.calls;
    s.elements += c.out_n;
    s.unwritten += std::count(c.out, c.out + c.out_n, kSentinel);
  }
  struct Seen {
    int calls = 0;
    int64_t elements = 0, unwritten = 0;
  };
  std::map<std::string, Seen> seen;
  size_t calls = 0;

 private:
  std::set<std::string> roles_;
};

TEST_F(TinyModel, HollowCallsWriteNothingWhileEveryOtherCallStillRuns) {
  auto m = LlamaModel::load(path_);
  const int32_t layers = m->config().n_layers;
  // Outputs written out of place (attn -> att, wq -> q, output -> logits), so the sentinel of
  // one call is not an input the next one adds to.
  auto engine = make_engine(Backend::cpu, *m, Plan{}, {.max_ctx = 8, .hollow = {"attn", "output"}});
  SentinelObserver obs({"attn", "output", "wq"});
  engine->set_observer(&obs);
  const int32_t next = engine->step(5, 0);
  EXPECT_EQ(obs.calls, engine->calls_per_step());  // hollow calls are still calls of the step
  EXPECT_EQ(obs.seen["attn"].calls, layers);
  EXPECT_EQ(obs.seen["attn"].unwritten, obs.seen["attn"].elements);
  EXPECT_EQ(obs.seen["output"].unwritten, obs.seen["output"].elements);
  EXPECT_EQ(obs.seen["wq"].calls, layers);
  EXPECT_EQ(obs.seen["wq"].unwritten, 0);
  // argmax ran over the logits left unwritten: all equal, so the first index.
  EXPECT_EQ(next, 0);
  // The same engine without hollow calls writes every watched output.
  auto whole = make_engine(Backend::cpu, *m, Plan{}, {.max_ctx = 8});
  SentinelObserver all({"attn", "output"});
  whole->set_observer(&all);
  whole->step(5, 0);
  EXPECT_EQ(all.seen["attn"].unwritten, 0);
  EXPECT_EQ(all.seen["output"].unwritten, 0);
}

TEST_F(TinyModel, HollowRoleTheStepLacksIsRejected) {
  auto m = LlamaModel::load(path_);
  EXPECT_THROW(make_engine(Backend::cpu, *m, Plan{}, {.max_ctx = 8, .hollow = {"ffn_in"}}),
               std::invalid_argument);
}

}  // namespace
}  // namespace swapbench
