// The CUDA engine end to end on a generated smollm2-135m Q4_1 model: the reference plan follows
// the CPU engine token for token, graphs on and off (and PDL on and off) give the same bytes,
// steps allocate nothing, and every CUDA variant keeps its declared equality inside a whole
// decode.
//
// Both engines are fed the same tokens (the CPU engine's greedy choices: teacher forcing), so
// every step's logits can be compared even after a near-tie. A token flip counts as a failure
// only when the CPU's top-two margin at that step exceeds what the logits' measured error can
// explain: margin > 8 * rms(logits) * sqrt(NMSE bound) (an 8-sigma error band).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <set>

#include "gpu/gpu_support.h"
#include "kernels/common/cuda_check.h"
#include "runner/engine/engine.h"
#include "runner/model/model_gen.h"
#include "support/test_support.h"

namespace swapbench {
namespace {

constexpr int32_t kSteps = 64;
constexpr double kLogitsNmse = 1e-5;

struct Trace {
  std::vector<int32_t> tokens;             // token fed at each step
  std::vector<std::vector<float>> logits;  // logits after each step
  std::vector<int32_t> argmax;             // the engine's own greedy choice
};

// Decodes n steps feeding `feed` (or the engine's own choice when feed is empty).
Trace run(Engine& e, int32_t n, const std::vector<int32_t>& feed, int32_t first = 1) {
  Trace t;
  int32_t tok = first;
  for (int32_t i = 0; i < n; ++i) {
    if (!feed.empty()) tok = feed[size_t(i)];
    t.tokens.push_back(tok);
    const int32_t next = e.step(tok, i);
    t.argmax.push_back(next);
    t.logits.emplace_back();
    e.logits(t.logits.back());
    tok = next;
  }
  return t;
}

double logits_nmse(const std::vector<float>& got, const std::vector<float>& ref) {
  return test::nmse(got.data(), ref.data(), ref.size());
}

double top2_margin(const std::vector<float>& v) {
  float a = -INFINITY, b = -INFINITY;
  for (float x : v) {
    if (x > a) {
      b = a;
      a = x;
    } else if (x > b) {
      b = x;
    }
  }
  return double(a) - b;
}

double rms(const std::vector<float>& v) {
  double s = 0;
  for (float x : v) s += double(x) * x;
  return std::sqrt(s / double(v.size()));
}

class GpuDecode : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!test::gpu_present(nullptr)) return;
    dir_ = new test::TempDir;
    const std::string path = dir_->file("smollm2-q4_1.gguf").string();
    generate_model(path, {.shape = "smollm2-135m", .quant = DType::q4_1, .seed = 11});
    model_ = LlamaModel::load(path).release();
    auto cpu = make_engine(Backend::cpu, *model_, Plan{}, {.max_ctx = kSteps + 1});
    cpu_ = new Trace(run(*cpu, kSteps, {}));
  }
  static void TearDownTestSuite() {
    delete cpu_;
    delete model_;
    delete dir_;
  }
  static std::unique_ptr<Engine> gpu(const std::string& plan, bool graphs, bool pdl = false) {
    return make_engine(Backend::cuda, *model_, Plan::parse(plan),
                       {.max_ctx = kSteps + 1, .graphs = graphs, .pdl = pdl});
  }
  static inline test::TempDir* dir_ = nullptr;
  static inline LlamaModel* model_ = nullptr;
  static inline Trace* cpu_ = nullptr;
};

// Every step's logits within the NMSE bound of the CPU engine's; a greedy choice that differs
// only where the CPU's top-two margin is inside the error band. Returns the near-tie flips.
int expect_follows_cpu(const Trace& g, const Trace& cpu, const std::string& what) {
  int flips = 0;
  for (int32_t i = 0; i < kSteps; ++i) {
    const double nmse = logits_nmse(g.logits[size_t(i)], cpu.logits[size_t(i)]);
    EXPECT_LE(nmse, kLogitsNmse) << what << ", step " << i;
    if (g.argmax[size_t(i)] != cpu.argmax[size_t(i)]) {
      const double margin = top2_margin(cpu.logits[size_t(i)]);
      const double band = 8.0 * rms(cpu.logits[size_t(i)]) * std::sqrt(kLogitsNmse);
      EXPECT_LT(margin, band) << what << ", step " << i << ": GPU chose " << g.argmax[size_t(i)]
                              << ", CPU " << cpu.argmax[size_t(i)] << " with margin " << margin;
      ++flips;
    }
  }
  return flips;
}

TEST_F(GpuDecode, ReferencePlanFollowsTheCpuEngineFor64Steps) {
  SB_REQUIRE_GPU();
  auto e = gpu("", true);
  const Trace g = run(*e, kSteps, cpu_->tokens);
  RecordProperty("near_tie_flips", expect_follows_cpu(g, *cpu_, "reference plan"));
}

// argmax.two_stage and attn_decode.warp_tile with splits draw arrival tickets from the step's
// zeroed memory, which the engine zeroes once and the last block of each call resets: a counter
// left non-zero would make the next step's last block never see itself last (argmax never
// written, attention never merged). 64 steps, eager and replayed: the engine's own choice is
// exactly the argmax of its logits at every step, and the logits follow the CPU engine.
TEST_F(GpuDecode, TicketCountersServeEveryStep) {
  SB_REQUIRE_GPU();
  const std::string plan = "attn_decode=warp_tile[splits=4],argmax=two_stage";
  for (bool graphs : {true, false}) {
    auto e = gpu(plan, graphs, true);
    const Trace g = run(*e, kSteps, cpu_->tokens);
    const std::string what = plan + ", graphs " + (graphs ? "on" : "off");
    for (int32_t i = 0; i < kSteps; ++i) {
      const std::vector<float>& l = g.logits[size_t(i)];
      EXPECT_EQ(g.argmax[size_t(i)], int32_t(std::max_element(l.begin(), l.end()) - l.begin()))
          << what << ", step " << i;
    }
    expect_follows_cpu(g, *cpu_, what);
  }
}

TEST_F(GpuDecode, GraphsOnAndOffGiveByteIdenticalLogits) {
  SB_REQUIRE_GPU();
  auto on = gpu("", true);
  auto off = gpu("", false);
  const Trace a = run(*on, 24, cpu_->tokens);
  const Trace b = run(*off, 24, cpu_->tokens);
  for (size_t i = 0; i < a.logits.size(); ++i)
    ASSERT_EQ(std::memcmp(a.logits[i].data(), b.logits[i].data(), a.logits[i].size() * 4), 0)
        << "step " << i;
}

// PDL only lets kernels start early; every kernel waits for its predecessor before touching
// memory, so the bytes must not change, for the reference plan and fast ones, eager or replayed.
// The last two use attn_decode.warp_tile, which lets wo launch before attention's own wait; in
// the last, ffn_down is matvec_residual.coalesced, which reads its residual before its wait (wo's
// 576 columns fall back to shuffle). Every matvec_residual.shuffle reads its residual before its
// wait too, and attn_in.warp_norm (like fused) the position; warp_norm's warps share no barrier.
TEST_F(GpuDecode, PdlOnAndOffGiveByteIdenticalLogitsAndTokens) {
  SB_REQUIRE_GPU();
  for (const std::string plan :
       {std::string(),
        std::string("matvec=v3_small,matvec_pair=fused,matvec_residual=shuffle,"
                    "rmsnorm=warp_shuffle,argmax=two_stage"),
        std::string("attn_in=fused,ffn_in=fused,matvec=v3_small,matvec_residual=shuffle,"
                    "argmax=two_stage"),
        std::string("attn_in=fused,ffn_in=fused,attn_decode=warp_tile,matvec=v3_small,"
                    "matvec_residual=shuffle,rmsnorm=warp_shuffle,argmax=two_stage"),
        std::string("attn_decode=warp_tile,matvec_residual=coalesced,matvec_pair=fused"),
        std::string("attn_in=warp_norm,ffn_in=warp_norm,attn_decode=warp_tile,matvec=v3_small,"
                    "matvec.q8_0=coalesced,matvec_residual=shuffle,argmax=two_stage")}) {
    for (bool graphs : {true, false}) {
      auto on = gpu(plan, graphs, true);
      auto off = gpu(plan, graphs, false);
      const Trace a = run(*on, 24, cpu_->tokens);
      const Trace b = run(*off, 24, cpu_->tokens);
      const std::string what = "plan '" + plan + "', graphs " + (graphs ? "on" : "off");
      for (size_t i = 0; i < a.logits.size(); ++i)
        ASSERT_EQ(std::memcmp(a.logits[i].data(), b.logits[i].data(), a.logits[i].size() * 4), 0)
            << what << ", step " << i;
      EXPECT_EQ(a.argmax, b.argmax) << what;
      EXPECT_EQ(on->step_chain(cpu_->tokens[0], 0, 48), off->step_chain(cpu_->tokens[0], 0, 48))
          << what;
    }
  }
}

// attn_in.fused and ffn_in.fused replace eight of a layer's eleven launches with two; their norm
// is rmsnorm.warp_shuffle's and their dots the bitwise matvec family's, so under
// rmsnorm=warp_shuffle the fused step gives the unfused step's bytes, graphs on and off.
TEST_F(GpuDecode, FusedInputSlotsGiveTheUnfusedStepsBytes) {
  SB_REQUIRE_GPU();
  const std::string base = "rmsnorm=warp_shuffle,matvec=v3_small,matvec_residual=shuffle";
  const std::string fused = base + ",attn_in=fused,ffn_in=fused";
  for (bool graphs : {true, false}) {
    auto a = gpu(base, graphs);
    auto b = gpu(fused, graphs);
    const size_t layers = size_t(model_->config().n_layers);
    EXPECT_EQ(a->calls_per_step(), 4 + 11 * layers);
    EXPECT_EQ(b->calls_per_step(), 4 + 5 * layers);
    const Trace ta = run(*a, 24, cpu_->tokens);
    const Trace tb = run(*b, 24, cpu_->tokens);
    for (size_t i = 0; i < ta.logits.size(); ++i)
      ASSERT_EQ(std::memcmp(ta.logits[i].data(), tb.logits[i].data(), ta.logits[i].size() * 4), 0)
          << "graphs " << (graphs ? "on" : "off") << ", step " << i;
    EXPECT_EQ(ta.argmax, tb.argmax);
  }
}

TEST_F(GpuDecode, ChainedStepsOnTheDeviceMatchHostDrivenSteps) {
  SB_REQUIRE_GPU();
  auto e = gpu("", true);
  const Trace host = run(*e, 32, {}, cpu_->tokens[0]);
  const std::vector<int32_t> chained = e->step_chain(cpu_->tokens[0], 0, 32);
  EXPECT_EQ(chained, host.argmax);
}

TEST_F(GpuDecode, StepsAllocateNoDeviceMemory) {
  SB_REQUIRE_GPU();
  for (bool graphs : {false, true}) {
    auto e = gpu("", graphs);
    e->step(1, 0);  // first step: graph capture and lazy module loading happen here
    SB_CUDA_CHECK(cudaDeviceSynchronize());
    size_t free_before = 0, free_after = 0, total = 0;
    SB_CUDA_CHECK(cudaMemGetInfo(&free_before, &total));
    e->step_chain(2, 1, 40);
    SB_CUDA_CHECK(cudaMemGetInfo(&free_after, &total));
    EXPECT_EQ(free_before, free_after) << (graphs ? "graphs on" : "graphs off");
  }
}

// `ablate`'s hollow calls (LaunchCtx::hollow): an empty kernel of the same grid runs instead and
// the call writes nothing, eager or in a replayed graph, with PDL; every other call is untouched.
constexpr uint32_t kSentinelBits = 0xA5A5A5A5u;  // a finite float no kernel here computes
class DeviceSentinel : public StepObserver {
 public:
  explicit DeviceSentinel(std::set<std::string> roles) : roles_(std::move(roles)) {}
  void before(const SlotCall& c) override {
    if (!roles_.count(c.site)) return;
    SB_CUDA_CHECK(cudaDeviceSynchronize());  // the engine's stream does not wait for memset
    SB_CUDA_CHECK(cudaMemset(const_cast<float*>(c.out), 0xA5, size_t(c.out_n) * sizeof(float)));
    SB_CUDA_CHECK(cudaDeviceSynchronize());
  }
  void after(const SlotCall& c) override {
    if (!roles_.count(c.site)) return;
    SB_CUDA_CHECK(cudaDeviceSynchronize());
    std::vector<uint32_t> bits(size_t(c.out_n));
    SB_CUDA_CHECK(cudaMemcpy(bits.data(), c.out, bits.size() * 4, cudaMemcpyDeviceToHost));
    Seen& s = seen[c.site];
    ++s.calls;
    s.elements += c.out_n;
    s.unwritten += std::count(bits.begin(), bits.end(), kSentinelBits);
  }
  struct Seen {
    int calls = 0;
    int64_t elements = 0, unwritten = 0;
  };
  std::map<std::string, Seen> seen;

 private:
  std::set<std::string> roles_;
};

TEST_F(GpuDecode, HollowCallsRunEmptyKernelsAndWriteNothing) {
  SB_REQUIRE_GPU();
  const std::string plan =
      "attn_in=fused,ffn_in=fused,attn_decode=warp_tile,matvec.q8_0=coalesced,argmax=two_stage";
  const int32_t layers = model_->config().n_layers;
  {  // eager (an observer makes the step eager), PDL on
    auto e = make_engine(Backend::cuda, *model_, Plan::parse(plan),
                         {.max_ctx = 8, .graphs = true, .pdl = true, .hollow = {"attn", "output"}});
    DeviceSentinel obs({"attn", "output", "attn_in"});
    e->set_observer(&obs);
    e->step(cpu_->tokens[0], 0);
    EXPECT_EQ(obs.seen["attn"].calls, layers);
    EXPECT_EQ(obs.seen["attn"].unwritten, obs.seen["attn"].elements);
    EXPECT_EQ(obs.seen["output"].unwritten, obs.seen["output"].elements);
    EXPECT_EQ(obs.seen["attn_in"].calls, layers);
    EXPECT_EQ(obs.seen["attn_in"].unwritten, 0);  // whole calls still write every element
  }
  {  // replayed graph, PDL on: a hollow argmax leaves the engine's zeroed token in place, and
     // the logits before it are the whole step's bytes
    auto hollow = make_engine(Backend::cuda, *model_, Plan::parse(plan),
                              {.max_ctx = 16, .graphs = true, .pdl = true, .hollow = {"argmax"}});
    auto whole = make_engine(Backend::cuda, *model_, Plan::parse(plan),
                             {.max_ctx = 16, .graphs = true, .pdl = true});
    EXPECT_EQ(hollow->step_chain(cpu_->tokens[0], 0, 8), std::vector<int32_t>(8, 0));
    std::vector<float> a, b;
    EXPECT_EQ(hollow->step(cpu_->tokens[0], 0), 0);
    hollow->logits(a);
    whole->step(cpu_->tokens[0], 0);
    whole->logits(b);
    ASSERT_EQ(a.size(), b.size());
    EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)), 0);
    EXPECT_EQ(hollow->calls_per_step(), whole->calls_per_step());
  }
}

// Every CUDA variant, alone against the reference plan, through a whole decode: bitwise ones
// give identical logits bytes, reassociating ones stay close.
class GpuPlanEquality : public GpuDecode, public ::testing::WithParamInterface<std::string> {};

TEST_P(GpuPlanEquality, VariantKeepsItsDeclaredEqualityInAWholeDecode) {
  SB_REQUIRE_GPU();
  const std::string key = GetParam();  // slot.variant
  const auto dot = key.rfind('.');
  const std::string slot = key.substr(0, dot), name = key.substr(dot + 1);
  const Variant* v = Registry::instance().find(slot, name);
  ASSERT_NE(v, nullptr);
  auto ref = gpu("", true);
  std::unique_ptr<Engine> alt;
  try {
    alt = gpu(slot + "=" + name, true);
  } catch (const PlanError& e) {
    GTEST_SKIP() << key << " does not apply to this model: " << e.what();
  }
  const Trace a = run(*ref, 16, cpu_->tokens);
  const Trace b = run(*alt, 16, cpu_->tokens);
  for (size_t i = 0; i < a.logits.size(); ++i) {
    if (v->info.equality == Equality::bitwise) {
      ASSERT_EQ(std::memcmp(a.logits[i].data(), b.logits[i].data(), a.logits[i].size() * 4), 0)
          << key << " declares bitwise but differs at step " << i;
    } else {
      EXPECT_LE(logits_nmse(b.logits[i], a.logits[i]), 1e-3) << key << " step " << i;
    }
  }
}

std::vector<std::string> cuda_variant_keys() {
  std::vector<std::string> out;
  for (const Variant* v : Registry::instance().variants("", Backend::cuda)) {
    const SlotInfo* s = Registry::instance().slot(v->info.slot);
    if (s && s->cuda_reference != v->info.name) out.push_back(v->info.key());
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(AllCudaVariants, GpuPlanEquality, ::testing::ValuesIn(cuda_variant_keys()),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n)
                             if (c == '.') c = '_';
                           return n;
                         });

}  // namespace
}  // namespace swapbench
