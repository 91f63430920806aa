// The registry: every slot the decode needs exists with a reference variant on the CPU, every
// variant is complete (rationale, traffic), names are unique keys.
#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <string>

#include "kernels/common/variant.h"

namespace swapbench {
namespace {

TEST(Registry, EverySlotOfTheDecodeIsRegistered) {
  for (const char* key :
       {"embed", "rmsnorm", "matvec.q4_1", "matvec.q8_0", "matvec.q4_0", "matvec.f16",
        "matvec_pair.q4_1", "matvec_residual.q4_1", "rope", "attn_decode", "swiglu", "argmax"}) {
    EXPECT_NE(Registry::instance().slot(key), nullptr) << key;
  }
}

TEST(Registry, EverySlotHasItsCpuReferenceRegistered) {
  for (const SlotInfo* s : Registry::instance().slots()) {
    const Variant* ref = Registry::instance().find(s->key, s->cpu_reference);
    ASSERT_NE(ref, nullptr) << s->key << " lacks its CPU reference " << s->cpu_reference;
    EXPECT_EQ(ref->info.backend, Backend::cpu);
    EXPECT_EQ(ref->info.equality, Equality::bitwise) << "a reference is bitwise to itself";
    EXPECT_FALSE(s->cuda_reference.empty()) << s->key;
  }
}

#ifdef SWAPBENCH_HAVE_CUDA
TEST(Registry, EverySlotHasItsCudaReferenceRegistered) {
  for (const SlotInfo* s : Registry::instance().slots()) {
    const Variant* ref = Registry::instance().find(s->key, s->cuda_reference);
    ASSERT_NE(ref, nullptr) << s->key << " lacks its CUDA reference " << s->cuda_reference;
    EXPECT_EQ(ref->info.backend, Backend::cuda);
  }
}

// The coalesced matvecs take rows that are not whole 16-byte copies (576 columns: q8_0 612,
// q4_0 324, q4_1 360 bytes) as spans of 4, 4 and 2 rows; the fused input slots, whose row pairs
// come from two matrices, still need 16-byte rows.
TEST(Registry, CoalescedMatvecsServeShortRowsAsSpans) {
  auto applies = [](const char* slot, const char* name, const Shape& s) {
    const Variant* v = Registry::instance().find(slot, name);
    EXPECT_NE(v, nullptr) << slot << " " << name;
    return v ? v->info.applies(s) : std::optional<std::string>("missing");
  };
  for (const char* slot : {"matvec.q8_0", "matvec.q4_0", "matvec.q4_1"}) {
    EXPECT_EQ(applies(slot, "coalesced", {.rows = 49152, .cols = 576}), std::nullopt) << slot;
    // A last group of fewer rows than a span: copied up to the matrix's end, never past it.
    EXPECT_EQ(applies(slot, "coalesced", {.rows = 7, .cols = 576}), std::nullopt) << slot;
  }
  EXPECT_EQ(applies("matvec_residual.q4_1", "coalesced", {.rows = 576, .cols = 576}), std::nullopt);
  // 544 columns: 17 q8_0 blocks, 578 bytes, not whole 4-byte words.
  const auto odd = applies("matvec.q8_0", "coalesced", {.rows = 64, .cols = 544});
  ASSERT_TRUE(odd.has_value());
  EXPECT_NE(odd->find("span"), std::string::npos) << *odd;
  // More than one piece (32 blocks) per row that is not whole 16-byte copies: no span.
  EXPECT_TRUE(applies("matvec.q8_0", "coalesced", {.rows = 64, .cols = 1088}).has_value());
  // A pair's first matrix must end on a span group (q4_0 at 576 columns: 4 rows).
  EXPECT_EQ(applies("matvec_pair.q4_0", "coalesced", {.rows = 1536, .rows2 = 1535, .cols = 576}),
            std::nullopt);
  const auto pair =
      applies("matvec_pair.q4_0", "coalesced", {.rows = 1535, .rows2 = 1536, .cols = 576});
  ASSERT_TRUE(pair.has_value());
  EXPECT_NE(pair->find("span groups"), std::string::npos) << *pair;
  EXPECT_TRUE(
      applies("ffn_in.q8_0", "coalesced", {.rows = 1536, .rows2 = 1536, .cols = 576}).has_value());
}

// The warp_norm input slots hold one 32-element block of x per lane: smollm2's 576 columns and up
// to 1024, not the 8B's 4096, and only weight types of which two rows fit a lane's registers.
TEST(Registry, WarpNormInputSlotsTakeAtMost1024ColumnsAndNoF32) {
  const Shape attn{.rows = 576,
                   .rows2 = 192,
                   .cols = 576,
                   .heads = 9,
                   .kv_heads = 3,
                   .head_dim = 64,
                   .max_ctx = 8};
  for (const char* slot : {"attn_in.q4_1", "attn_in.q8_0", "attn_in.f16"}) {
    const Variant* v = Registry::instance().find(slot, "warp_norm");
    ASSERT_NE(v, nullptr) << slot;
    EXPECT_EQ(v->info.applies(attn), std::nullopt) << slot;
    Shape wide = attn;
    wide.cols = 1056;
    const auto why = v->info.applies(wide);
    ASSERT_TRUE(why.has_value()) << slot;
    EXPECT_NE(why->find("at most 1024"), std::string::npos) << *why;
  }
  const Shape ffn{.rows = 1536, .rows2 = 1536, .cols = 1024};
  EXPECT_EQ(Registry::instance().find("ffn_in.q4_0", "warp_norm")->info.applies(ffn), std::nullopt);
  Shape ffn_wide = ffn;
  ffn_wide.cols = 4096;
  EXPECT_TRUE(
      Registry::instance().find("ffn_in.q4_0", "warp_norm")->info.applies(ffn_wide).has_value());
  EXPECT_EQ(Registry::instance().find("attn_in.f32", "warp_norm"), nullptr);
  EXPECT_EQ(Registry::instance().find("ffn_in.f32", "warp_norm"), nullptr);
}
#endif

TEST(Registry, EveryVariantSaysWhyAndWhatItMoves) {
  const Shape shape{.rows = 64,
                    .rows2 = 64,
                    .cols = 64,
                    .heads = 4,
                    .kv_heads = 2,
                    .head_dim = 16,
                    .max_ctx = 32};
  for (const Variant* v : Registry::instance().variants("", std::nullopt, true)) {
    if (v->info.test_only) continue;
    EXPECT_FALSE(v->info.rationale.empty()) << v->info.key();
    EXPECT_NE(Registry::instance().slot(v->info.slot), nullptr) << v->info.key();
    if (!v->info.applies(shape)) EXPECT_GT(v->info.bytes(shape), 0.0) << v->info.key();
    for (const ParamSpec& p : v->info.params) {
      EXPECT_LE(p.min, p.def) << v->info.key() << " " << p.name;
      EXPECT_LE(p.def, p.max) << v->info.key() << " " << p.name;
    }
    if (!v->info.fallback.empty())
      EXPECT_NE(Registry::instance().find(v->info.slot, v->info.fallback), nullptr)
          << v->info.key() << " falls back to a missing variant";
  }
}

TEST(Registry, DuplicateVariantIsRefused) {
  VariantInfo info{.slot = "rmsnorm", .name = "cpu_ref", .backend = Backend::cpu};
  EXPECT_THROW(register_variant<int>(
                   info, +[](const int&, const LaunchCtx&) {}),
               std::logic_error);
}

TEST(Registry, LaunchWithTheWrongArgumentStructThrows) {
  const Variant* v = Registry::instance().find("rmsnorm", "cpu_ref");
  ASSERT_NE(v, nullptr);
  EXPECT_THROW(v->launch(42, LaunchCtx{}), std::logic_error);
}

}  // namespace
}  // namespace swapbench
