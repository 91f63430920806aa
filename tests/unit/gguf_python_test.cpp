// Tests that files from gguf::Writer read correctly with the independent PyPI `gguf` reader.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "kernels/common/quant_cpu.h"
#include "runner/model/gguf.h"
#include "support/test_support.h"

namespace swapbench::gguf {
namespace {

// Runs `cmd` and returns its stdout and exit status.
std::pair<std::string, int> run(const std::string& cmd) {
  std::FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return {"", -1};
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  return {out, ::pclose(p)};
}

std::string hex(const uint8_t* p, size_t n) {
  static const char* kDigits = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s += kDigits[p[i] >> 4];
    s += kDigits[p[i] & 15];
  }
  return s;
}

class GgufPython : public ::testing::TestWithParam<uint64_t> {
 protected:
  void SetUp() override {
    if (std::system("python3 -c 'import gguf' >/dev/null 2>&1") != 0) {
      if (test::in_ci()) FAIL() << "python3 cannot import the gguf package (pip install gguf)";
      GTEST_SKIP() << "python3 cannot import the PyPI gguf package (pip install gguf); skipping";
    }
  }
  test::TempDir dir_;
};

TEST_P(GgufPython, PythonReaderSeesOurTensorsAndKeys) {
  const uint64_t alignment = GetParam();
  const std::string path = dir_.file("py.gguf").string();
  struct Spec {
    std::string name;
    std::vector<uint64_t> dims;
    DType type;
  };
  const std::vector<Spec> specs = {
      {"w.f32", {32, 3}, DType::f32},    {"w.f16", {64, 2}, DType::f16},
      {"w.bf16", {40}, DType::bf16},     {"w.q8_0", {64, 2}, DType::q8_0},
      {"w.q4_0", {32, 5}, DType::q4_0},  {"w.q4_1", {96, 1}, DType::q4_1},
      {"w.3d", {32, 2, 3}, DType::q8_0},
  };
  std::vector<std::vector<uint8_t>> data;
  {
    Writer w(path, alignment);
    w.add("general.architecture", Value::string("llama"));
    w.add("llama.block_count", Value::u32(30));
    w.add("llama.rope.freq_base", Value::f32(10000.0f));
    w.add("test.i64", Value::i64(-1234567890123ll));
    w.add("test.bool", Value::boolean(true));
    w.add("tokenizer.ggml.tokens", Value::strings({"<s>", "</s>", "Ġhello", "é"}));
    w.add("tokenizer.ggml.scores", Value::f32s({0.0f, -1.5f, 2.25f, 3.0f}));
    w.add("test.ints", Value::i32s({-1, 2, -3}));
    for (const Spec& s : specs) w.add_tensor(s.name, s.dims, s.type);
    w.begin_data();
    for (size_t i = 0; i < specs.size(); ++i) {
      uint64_t n = 1;
      for (uint64_t d : specs[i].dims) n *= d;
      const std::vector<float> x = test::random_floats(n, static_cast<uint32_t>(i + 10), 0.5f, 2);
      data.emplace_back(n / info(specs[i].type).block_size * info(specs[i].type).type_size);
      quantize_row(specs[i].type, x.data(), data.back().data(), static_cast<int64_t>(n));
      w.write_tensor(specs[i].name, data.back().data(), data.back().size());
    }
    w.finish();
  }
  const File ours = File::open(path);

  const std::string script =
      std::string(SWAPBENCH_SOURCE_DIR) + "/tests/tools/gguf_python_check.py";
  const auto [out, status] = run("python3 '" + script + "' '" + path + "'");
  ASSERT_EQ(status, 0) << "gguf_python_check.py failed; output: " << out;
  const nlohmann::json j = nlohmann::json::parse(out);

  EXPECT_EQ(j.at("version"), 3);
  EXPECT_EQ(j.at("alignment"), alignment);
  EXPECT_EQ(j.at("data_offset"), ours.data_offset());
  const auto& kv = j.at("kv");
  EXPECT_EQ(kv.at("general.architecture").at("value"), "llama");
  EXPECT_EQ(kv.at("llama.block_count").at("types"), nlohmann::json::array({"uint32"}));
  EXPECT_EQ(kv.at("llama.block_count").at("value"), 30);
  EXPECT_EQ(kv.at("llama.rope.freq_base").at("value"), 10000.0);
  EXPECT_EQ(kv.at("test.i64").at("value"), -1234567890123ll);
  EXPECT_EQ(kv.at("test.bool").at("value"), true);
  EXPECT_EQ(kv.at("tokenizer.ggml.tokens").at("value"),
            nlohmann::json::array({"<s>", "</s>", "Ġhello", "é"}));
  EXPECT_EQ(kv.at("tokenizer.ggml.tokens").at("types"),
            nlohmann::json::array({"array", "string"}));
  EXPECT_EQ(kv.at("tokenizer.ggml.scores").at("value"),
            nlohmann::json::array({0.0, -1.5, 2.25, 3.0}));
  EXPECT_EQ(kv.at("test.ints").at("value"), nlohmann::json::array({-1, 2, -3}));
  if (alignment != 32) {
    EXPECT_EQ(kv.at("general.alignment").at("value"), alignment);
  }

  const auto& tensors = j.at("tensors");
  ASSERT_EQ(tensors.size(), specs.size());
  for (size_t i = 0; i < specs.size(); ++i) {
    const auto& t = tensors[i];
    const TensorInfo& ti = ours.tensor(specs[i].name);
    EXPECT_EQ(t.at("name"), specs[i].name);
    EXPECT_EQ(t.at("shape").get<std::vector<uint64_t>>(), specs[i].dims) << specs[i].name;
    EXPECT_EQ(t.at("type"), std::string(name(specs[i].type)));
    EXPECT_EQ(t.at("n_bytes"), data[i].size());
    EXPECT_EQ(t.at("offset"), ti.offset);
    EXPECT_EQ(t.at("data_hex"), hex(data[i].data(), std::min<size_t>(16, data[i].size())));
  }
}

INSTANTIATE_TEST_SUITE_P(Alignments, GgufPython, ::testing::Values(32u, 64u),
                         [](const auto& p) { return "align" + std::to_string(p.param); });

}  // namespace
}  // namespace swapbench::gguf
