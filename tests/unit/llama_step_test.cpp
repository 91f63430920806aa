// LlamaStep's bookkeeping, without running a step: which call sites it launches and the scratch
// it asks the engine for.
#include "runner/engine/llama_step.h"

#include <gtest/gtest.h>

#include "kernels/common/variant.h"
#include "kernels/rope/rope.h"

namespace swapbench {
namespace {

constexpr size_t kHugeWorkspace = size_t{1} << 30;

// A two-layer q8_0 model's shapes (no weights: the step is only built, never run).
struct TinyShapes {
  LlamaConfig cfg{.n_layers = 2,
                  .dim = 64,
                  .n_heads = 4,
                  .n_kv_heads = 2,
                  .head_dim = 16,
                  .rot_dim = 16,
                  .ffn_dim = 128,
                  .vocab = 96,
                  .context = 32};
  std::vector<LayerTensors> layers;
  TensorRef embd{.name = "token_embd", .type = DType::q8_0, .rows = 96, .cols = 64};
  TensorRef output = embd;
  TinyShapes() {
    auto m = [](int64_t rows, int64_t cols) {
      return TensorRef{.name = "w", .type = DType::q8_0, .rows = rows, .cols = cols};
    };
    for (int i = 0; i < cfg.n_layers; ++i) {
      LayerTensors L;
      L.wq = m(64, 64);
      L.wk = m(32, 64);
      L.wv = m(32, 64);
      L.wo = m(64, 64);
      L.w_gate = m(128, 64);
      L.w_up = m(128, 64);
      L.w_down = m(64, 128);
      layers.push_back(L);
    }
  }
  size_t workspace(const std::string& plan) const {
    Bindings b(Plan::parse(plan), Backend::cpu);
    return LlamaStep(cfg, layers, embd, output, 32, b).workspace_bytes();
  }
  size_t zeroed(const std::string& plan) const {
    Bindings b(Plan::parse(plan), Backend::cpu);
    return LlamaStep(cfg, layers, embd, output, 32, b).zeroed_bytes();
  }
  size_t calls(const std::string& plan) const {
    Bindings b(Plan::parse(plan), Backend::cpu);
    return LlamaStep(cfg, layers, embd, output, 32, b).calls_per_step();
  }
  std::vector<std::string> unused(const std::string& plan) const {
    Bindings b(Plan::parse(plan), Backend::cpu);
    LlamaStep(cfg, layers, embd, output, 32, b);
    return b.unused();
  }
};

// A test-only CPU rope `name` that declares `workspace` bytes of scratch and `zeroed` bytes of
// zeroed memory and is never launched here; registered once.
void register_test_rope(const std::string& name, size_t workspace, size_t zeroed) {
  if (Registry::instance().find("rope", name)) return;
  register_variant<rope::Args>(
      {.slot = "rope",
       .name = name,
       .backend = Backend::cpu,
       .equality = Equality::bitwise,
       .workspace_bytes = [workspace](const Shape&) { return workspace; },
       .zeroed_bytes = [zeroed](const Shape&) { return zeroed; },
       .test_only = true},
      +[](const rope::Args&, const LaunchCtx&) {});
}
void register_hungry_rope() { register_test_rope("test_hungry", kHugeWorkspace, 0); }  // 1 GiB

TEST(LlamaStepWorkspace, CountsTheSitesItLaunches) {
  register_hungry_rope();
  const TinyShapes t;
  // Unfused: rope is launched, its scratch is needed.
  EXPECT_EQ(t.workspace("rope=test_hungry"), kHugeWorkspace);
}

TEST(LlamaStepWorkspace, IgnoresSitesAFusedSlotReplaces) {
  register_hungry_rope();
  const TinyShapes t;
  // attn_in.cpu_fused replaces norm, Q/K/V and rope: the bound rope never runs, so the step
  // needs only cpu_fused's scratch (the normalised x and k, v: dim + 2 * kv floats).
  const size_t ws = t.workspace("rope=test_hungry,attn_in=cpu_fused");
  EXPECT_LT(ws, kHugeWorkspace);
  EXPECT_EQ(ws, size_t(64 + 2 * 32) * sizeof(float));
}

TEST(LlamaStepZeroed, CountsTheSitesItLaunches) {
  register_test_rope("test_counters", 0, 48);  // keeps 48 bytes zero between calls
  const TinyShapes t;
  EXPECT_EQ(t.zeroed(""), 0u);  // the CPU references keep no counters
  EXPECT_EQ(t.zeroed("rope=test_counters"), 48u);
  // attn_in.cpu_fused replaces rope: the bound rope never runs.
  EXPECT_EQ(t.zeroed("rope=test_counters,attn_in=cpu_fused"), 0u);
}

TEST(LlamaStepCalls, FusedSlotsReplaceTheirGroups) {
  const TinyShapes t;
  // Per layer: 5 attention-input calls, attn, wo, 3 FFN-input calls (paired), down; plus 4.
  EXPECT_EQ(t.calls(""), 4u + 2u * (5 + 2 + 3 + 1));
  EXPECT_EQ(t.calls("attn_in=cpu_fused"), 4u + 2u * (1 + 2 + 3 + 1));
  EXPECT_EQ(t.calls("attn_in=cpu_fused,ffn_in=cpu_fused"), 4u + 2u * (1 + 2 + 1 + 1));
  // wo_ffn_in replaces wo and the FFN input side, fused or not.
  EXPECT_EQ(t.calls("wo_ffn_in=cpu_fused"), 4u + 2u * (5 + 1 + 1 + 1));
  EXPECT_EQ(t.calls("attn_in=cpu_fused,ffn_in=cpu_fused,wo_ffn_in=cpu_fused"),
            4u + 2u * (1 + 1 + 1 + 1));
  EXPECT_EQ(t.calls("wo_ffn_in=cpu_ref"), t.calls(""));  // the reference: the separate calls
}

TEST(LlamaStepCalls, WoFfnInServesOnlyLayersWhoseWoHasTheFfnsType) {
  TinyShapes t;
  for (LayerTensors& L : t.layers) L.wo.type = DType::q4_0;  // the FFN stays q8_0
  // The slot exists per weight type: wo_ffn_in.q8_0 cannot take a q4_0 wo, so the layer keeps
  // its separate calls (as ffn_in does for gate and up of two types).
  EXPECT_EQ(t.calls("wo_ffn_in=cpu_fused"), t.calls(""));
  EXPECT_EQ(t.calls("wo_ffn_in=cpu_fused,ffn_in=cpu_fused"), 4u + 2u * (5 + 2 + 1 + 1));
  // ... and the entry that did nothing is reported, not silently dropped.
  EXPECT_EQ(t.unused("wo_ffn_in=cpu_fused,ffn_in=cpu_fused"),
            std::vector<std::string>{"wo_ffn_in=cpu_fused"});
  EXPECT_TRUE(TinyShapes().unused("wo_ffn_in=cpu_fused,ffn_in=cpu_fused").empty());
}

TEST(LlamaStepWorkspace, WoFfnInReplacesTheFfnInputsScratch) {
  register_hungry_rope();
  const TinyShapes t;
  // wo_ffn_in.cpu_fused's scratch is ffn_in.cpu_fused's: xn, gate, up (64 + 2 * 128 floats).
  EXPECT_EQ(t.workspace("wo_ffn_in=cpu_fused"), size_t(64 + 2 * 128) * sizeof(float));
}

TEST(LlamaStepCalls, ListedInLaunchOrderWithTheirRolesAndNothingLaunched) {
  const TinyShapes t;
  Bindings b(Plan::parse("ffn_in=cpu_fused"), Backend::cpu);
  const LlamaStep step(t.cfg, t.layers, t.embd, t.output, 32, b);
  const std::vector<SlotCall> calls = step.calls();  // no buffers exist: nothing may launch
  ASSERT_EQ(calls.size(), step.calls_per_step());
  std::vector<std::string> roles;
  for (const SlotCall& c : calls) roles.push_back(c.site);
  const std::vector<std::string> layer{"attn_norm", "wq", "wk",     "wv",      "rope",
                                       "attn",      "wo", "ffn_in", "ffn_down"};
  std::vector<std::string> expected{"embed"};
  for (int l = 0; l < t.cfg.n_layers; ++l)
    expected.insert(expected.end(), layer.begin(), layer.end());
  expected.insert(expected.end(), {"output_norm", "output", "argmax"});
  EXPECT_EQ(roles, expected);
  EXPECT_EQ(*calls[8].slot, "ffn_in.q8_0");
  EXPECT_EQ(calls[8].binding->variant->info.name, "cpu_fused");
  EXPECT_EQ(calls[8].layer, 0);
  EXPECT_EQ(calls[17].layer, 1);
  EXPECT_EQ(calls.back().layer, -1);
  EXPECT_EQ(calls[2].shape->rows, 64);  // wq's shape, for the variant's bytes
}

TEST(LlamaStepHollow, UnknownRoleIsRejectedNamingTheRolesOfThisStep) {
  const TinyShapes t;
  Bindings b(Plan::parse("ffn_in=cpu_fused"), Backend::cpu);
  LlamaStep step(t.cfg, t.layers, t.embd, t.output, 32, b);
  EXPECT_NO_THROW(step.set_hollow({"attn", "ffn_in"}));
  try {
    step.set_hollow({"attn", "ffn_gate_up"});  // the fused ffn_in replaced it in this plan
    FAIL() << "ffn_gate_up accepted";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("'ffn_gate_up'"), std::string::npos) << what;
    EXPECT_NE(what.find("embed, attn_norm, wq, wk, wv, rope, attn, wo, ffn_in, ffn_down, "
                        "output_norm, output, argmax"),
              std::string::npos)
        << what;
  }
}

}  // namespace
}  // namespace swapbench
