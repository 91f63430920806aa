// The model generator: deterministic files, every named shape's metadata, and the smollm2-135m
// shape laid out exactly like the real SmolLM2 file.
#include <gtest/gtest.h>

#include "runner/model/gguf.h"
#include "runner/model/llama_model.h"
#include "runner/model/model_gen.h"
#include "support/test_support.h"

namespace swapbench {
namespace {

TEST(ModelGen, SameSeedSameBytesWhateverTheThreadCount) {
  test::TempDir dir;
  generate_model(dir.file("a.gguf").string(), {.shape = "tiny", .seed = 3, .threads = 1});
  generate_model(dir.file("b.gguf").string(), {.shape = "tiny", .seed = 3, .threads = 5});
  generate_model(dir.file("c.gguf").string(), {.shape = "tiny", .seed = 4, .threads = 1});
  EXPECT_EQ(test::read_bytes(dir.file("a.gguf")), test::read_bytes(dir.file("b.gguf")));
  EXPECT_NE(test::read_bytes(dir.file("a.gguf")), test::read_bytes(dir.file("c.gguf")));
}

TEST(ModelGen, EveryQuantLoadsWithTheRightTypes) {
  test::TempDir dir;
  for (DType q : {DType::f32, DType::f16, DType::q8_0, DType::q4_0, DType::q4_1}) {
    const std::string p = dir.file(std::string(name(q)) + ".gguf").string();
    generate_model(p, {.shape = "tiny", .quant = q, .seed = 1});
    auto m = LlamaModel::load(p);
    EXPECT_EQ(m->layers()[0].wq.type, q);
    EXPECT_EQ(m->layers()[1].w_down.type, q);
    const bool four_bit = q == DType::q4_0 || q == DType::q4_1;
    EXPECT_EQ(m->token_embd().type, four_bit ? DType::q8_0 : q);
  }
}

TEST(ModelGen, UnknownShapeIsRejected) {
  test::TempDir dir;
  EXPECT_THROW(generate_model(dir.file("x.gguf").string(), {.shape = "llama-70b"}),
               std::invalid_argument);
}

TEST(ModelGen, Smollm2ShapeMatchesTheRealFileTensorForTensor) {
  SB_REQUIRE_REAL_MODEL(real_path);
  test::TempDir dir;
  const std::string p = dir.file("smollm2.gguf").string();
  generate_model(p, {.shape = "smollm2-135m", .quant = DType::q4_1, .seed = 1});
  const gguf::File gen = gguf::File::open(p);
  const gguf::File real = gguf::File::open(real_path.string());
  ASSERT_EQ(gen.tensors().size(), real.tensors().size());
  for (const gguf::TensorInfo& t : real.tensors()) {
    const gguf::TensorInfo* g = gen.find_tensor(t.name);
    ASSERT_NE(g, nullptr) << t.name;
    EXPECT_EQ(g->dims, t.dims) << t.name;
    EXPECT_EQ(g->type, t.type) << t.name;
  }
  for (const char* key : {"llama.block_count", "llama.embedding_length", "llama.feed_forward_length",
                          "llama.attention.head_count", "llama.attention.head_count_kv",
                          "llama.context_length", "llama.rope.dimension_count"}) {
    EXPECT_EQ(gen.get_uint(key), real.get_uint(key)) << key;
  }
  EXPECT_EQ(gen.get_float("llama.rope.freq_base"), real.get_float("llama.rope.freq_base"));
  EXPECT_EQ(gen.at("tokenizer.ggml.tokens").size(), real.at("tokenizer.ggml.tokens").size());
}

TEST(ModelGen, NamedShapesHaveTheRealModelsDimensions) {
  const auto l8 = find_model_shape("llama-8b");
  ASSERT_TRUE(l8);
  EXPECT_EQ(l8->dim, 4096);
  EXPECT_EQ(l8->n_layers, 32);
  EXPECT_EQ(l8->ffn_dim, 14336);
  EXPECT_EQ(l8->vocab, 128256);
  EXPECT_FALSE(l8->tied_output);
  const auto l1 = find_model_shape("llama-1b");
  ASSERT_TRUE(l1);
  EXPECT_EQ(l1->dim, 2048);
  EXPECT_EQ(l1->n_layers, 16);
  EXPECT_TRUE(l1->tied_output);
}

}  // namespace
}  // namespace swapbench
