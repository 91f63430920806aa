// Tests that GGUF files written by gguf::Writer read back identically, and the real model's layout.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "kernels/common/quant_cpu.h"
#include "runner/model/gguf.h"
#include "support/test_support.h"

namespace swapbench::gguf {
namespace {

using test::TempDir;

// One key per scalar type, arrays of every scalar type, strings, an empty and a nested array.
std::vector<KeyValue> every_value_type() {
  std::vector<KeyValue> kv = {
      {"general.architecture", Value::string("llama")},
      {"t.u8", Value::u8(200)},
      {"t.i8", Value::i8(-100)},
      {"t.u16", Value::u16(60000)},
      {"t.i16", Value::i16(-30000)},
      {"t.u32", Value::u32(4000000000u)},
      {"t.i32", Value::i32(-2000000000)},
      {"t.u64", Value::u64(18000000000000000000ull)},
      {"t.i64", Value::i64(-9000000000000000000ll)},
      {"t.f32", Value::f32(-1.25e-3f)},
      {"t.f64", Value::f64(3.141592653589793)},
      {"t.bool", Value::boolean(true)},
      {"t.string", Value::string("héllo \"world\"\n")},
      {"t.empty_string", Value::string("")},
      {"t.arr.u8", Value::array_of(ValueType::u8, {Value::u8(1), Value::u8(255)})},
      {"t.arr.i8", Value::array_of(ValueType::i8, {Value::i8(-128), Value::i8(127)})},
      {"t.arr.u16", Value::array_of(ValueType::u16, {Value::u16(65535)})},
      {"t.arr.i16", Value::array_of(ValueType::i16, {Value::i16(-32768), Value::i16(5)})},
      {"t.arr.u32", Value::array_of(ValueType::u32, {Value::u32(7), Value::u32(8)})},
      {"t.arr.i32", Value::i32s({-1, 0, 1, 2147483647})},
      {"t.arr.u64", Value::array_of(ValueType::u64, {Value::u64(~0ull)})},
      {"t.arr.i64", Value::array_of(ValueType::i64, {Value::i64(-5), Value::i64(6)})},
      {"t.arr.f32", Value::f32s({0.5f, -2.0f, 1e30f})},
      {"t.arr.f64", Value::array_of(ValueType::f64, {Value::f64(-0.1), Value::f64(1e300)})},
      {"t.arr.bool", Value::array_of(ValueType::boolean, {Value::boolean(false),
                                                          Value::boolean(true)})},
      {"t.arr.string", Value::strings({"a", "", "<|im_start|>", "Ġthe"})},
      {"t.arr.empty", Value::array_of(ValueType::f32, {})},
      {"t.arr.nested",
       Value::array_of(ValueType::array, {Value::i32s({1, 2}), Value::strings({"x"}),
                                          Value::array_of(ValueType::u8, {})})},
  };
  return kv;
}

struct TensorSpec {
  std::string name;
  std::vector<uint64_t> dims;
  DType type;
};

std::vector<TensorSpec> every_tensor_type() {
  return {
      {"t.f32", {32, 3}, DType::f32},     {"t.f16", {64, 2}, DType::f16},
      {"t.bf16", {33}, DType::bf16},      {"t.q8_0", {64, 2}, DType::q8_0},
      {"t.q4_0", {32, 5}, DType::q4_0},   {"t.q4_1", {96, 1}, DType::q4_1},
      {"t.3d", {32, 2, 3}, DType::q8_0},  {"t.4d", {2, 3, 1, 2}, DType::f32},
  };
}

// Bytes of a tensor: the quantized encoding of random floats that are never zero.
std::vector<uint8_t> tensor_bytes(const TensorSpec& s, uint32_t seed) {
  uint64_t n = 1;
  for (uint64_t d : s.dims) n *= d;
  std::vector<float> x = test::random_floats(n, seed, 0.1f, 2.0f);
  for (size_t i = 0; i < x.size(); i += 3) x[i] = -x[i];
  std::vector<uint8_t> out(n / info(s.type).block_size * info(s.type).type_size);
  quantize_row(s.type, x.data(), out.data(), static_cast<int64_t>(n));
  return out;
}

class GgufRoundTrip : public ::testing::TestWithParam<uint64_t> {
 protected:
  TempDir dir_;
};

TEST_P(GgufRoundTrip, EveryKeyTypeAndTensorReadsBackIdentically) {
  const uint64_t alignment = GetParam();
  const std::string path = dir_.file("all.gguf").string();
  const auto kvs = every_value_type();
  const auto specs = every_tensor_type();
  std::vector<std::vector<uint8_t>> data;
  {
    Writer w(path, alignment);
    for (const KeyValue& kv : kvs) w.add(kv.key, kv.value);
    for (const TensorSpec& s : specs) w.add_tensor(s.name, s.dims, s.type);
    w.begin_data();
    for (size_t i = 0; i < specs.size(); ++i) {
      data.push_back(tensor_bytes(specs[i], static_cast<uint32_t>(i + 1)));
      w.write_tensor(specs[i].name, data.back().data(), data.back().size());
    }
    w.finish();
  }

  const File f = File::open(path);
  EXPECT_EQ(f.version(), 3u);
  EXPECT_EQ(f.alignment(), alignment);
  EXPECT_EQ(f.data_offset() % alignment, 0u);
  EXPECT_EQ(f.file_size() % alignment, 0u);
  // The writer adds general.alignment only when it is not the default.
  const size_t extra = alignment == 32 ? 0 : 1;
  ASSERT_EQ(f.metadata().size(), kvs.size() + extra);
  for (size_t i = 0; i < kvs.size(); ++i) {
    EXPECT_EQ(f.metadata()[i].key, kvs[i].key);
    EXPECT_EQ(f.metadata()[i].value.type(), kvs[i].value.type()) << kvs[i].key;
    EXPECT_TRUE(f.metadata()[i].value == kvs[i].value) << kvs[i].key;
  }
  if (extra) {
    EXPECT_EQ(f.at("general.alignment").type(), ValueType::u32);
    EXPECT_EQ(f.get_uint("general.alignment"), alignment);
  }

  ASSERT_EQ(f.tensors().size(), specs.size());
  for (size_t i = 0; i < specs.size(); ++i) {
    const TensorInfo& t = f.tensors()[i];
    EXPECT_EQ(t.name, specs[i].name);
    EXPECT_EQ(t.dims, specs[i].dims);
    EXPECT_EQ(t.type, specs[i].type);
    EXPECT_EQ(t.offset % alignment, 0u);
    ASSERT_EQ(t.n_bytes(), data[i].size());
    EXPECT_EQ(std::memcmp(f.tensor_data(t), data[i].data(), data[i].size()), 0) << t.name;
    EXPECT_EQ(&f.tensor(t.name), &t);
  }
  const TensorInfo& t3 = f.tensor("t.3d");
  EXPECT_EQ(t3.cols(), 32u);
  EXPECT_EQ(t3.rows(), 6u);
  EXPECT_EQ(t3.n_elements(), 192u);
}

TEST_P(GgufRoundTrip, ChunkedWritesGiveTheSameFileAsWholeTensorWrites) {
  const uint64_t alignment = GetParam();
  const auto specs = every_tensor_type();
  std::vector<std::vector<uint8_t>> data;
  for (size_t i = 0; i < specs.size(); ++i)
    data.push_back(tensor_bytes(specs[i], static_cast<uint32_t>(i + 1)));
  auto write = [&](const std::string& path, bool chunked) {
    Writer w(path, alignment);
    w.add("general.architecture", Value::string("llama"));
    for (const TensorSpec& s : specs) w.add_tensor(s.name, s.dims, s.type);
    w.begin_data();
    for (size_t i = 0; i < specs.size(); ++i) {
      if (!chunked) {
        w.write_tensor(specs[i].name, data[i].data(), data[i].size());
        continue;
      }
      for (size_t at = 0; at < data[i].size(); at += 7)
        w.write_tensor_chunk(data[i].data() + at, std::min<size_t>(7, data[i].size() - at));
    }
    w.finish();
  };
  write(dir_.file("whole.gguf").string(), false);
  write(dir_.file("chunked.gguf").string(), true);
  EXPECT_EQ(test::read_bytes(dir_.file("whole.gguf")), test::read_bytes(dir_.file("chunked.gguf")));
}

INSTANTIATE_TEST_SUITE_P(Alignments, GgufRoundTrip, ::testing::Values(32u, 64u),
                         [](const auto& p) { return "align" + std::to_string(p.param); });

TEST(GgufValue, WrongTypeAccessThrowsAndConversionsAreChecked) {
  EXPECT_THROW((void)Value::u32(3).as_string(), Error);
  EXPECT_THROW((void)Value::string("x").as_uint(), Error);
  EXPECT_THROW((void)Value::i32(-1).as_uint(), Error);
  EXPECT_THROW((void)Value::u64(~0ull).as_int(), Error);
  EXPECT_THROW((void)Value::u8(1).size(), Error);
  EXPECT_THROW((void)Value::i32s({1}).strings(), Error);
  EXPECT_THROW((void)Value::boolean(true).as_float(), Error);
  EXPECT_THROW(Value::array_of(ValueType::u32, {Value::i32(1)}), Error);
  EXPECT_EQ(Value::i16(-7).as_int(), -7);
  EXPECT_EQ(Value::u8(7).as_float(), 7.0);
  EXPECT_EQ(Value::f32(0.1f).as_float(), static_cast<double>(0.1f));
  EXPECT_EQ(Value::i32s({3, -4}).ints(), (std::vector<int64_t>{3, -4}));
  EXPECT_EQ(Value::f32s({0.5f}).floats(), (std::vector<double>{0.5}));
  EXPECT_EQ(Value::strings({"a", "b"}).array_type(), ValueType::string);
}

TEST(GgufFile, AccessorsFindKeysAndTensorsAndNameWhatIsMissing) {
  TempDir dir;
  const std::string path = dir.file("small.gguf").string();
  {
    Writer w(path);
    w.add("k.n", Value::u16(5));
    w.add("k.neg", Value::i32(-5));
    w.add("k.f", Value::f32(0.25f));
    w.add("k.s", Value::string("str"));
    w.add("k.b", Value::boolean(false));
    w.add_tensor("w", {32}, DType::f32);
    w.begin_data();
    const std::vector<float> x = test::random_floats(32, 3);
    w.write_tensor("w", x.data(), x.size() * sizeof(float));
    w.finish();
  }
  const File f = File::open(path);
  EXPECT_EQ(f.get_uint("k.n"), 5u);
  EXPECT_EQ(f.get_float("k.n"), 5.0);
  EXPECT_EQ(f.get_float("k.f"), 0.25);
  EXPECT_EQ(f.get_string("k.s"), "str");
  EXPECT_FALSE(f.get_bool("k.b", true));
  EXPECT_TRUE(f.get_bool("k.absent", true));
  EXPECT_EQ(f.find("k.absent"), nullptr);
  EXPECT_EQ(f.find_tensor("absent"), nullptr);
  auto message = [](auto&& fn) {
    try {
      fn();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no throw");
  };
  EXPECT_EQ(message([&] { (void)f.at("k.absent"); }), path + ": missing key 'k.absent'");
  EXPECT_NE(message([&] { (void)f.get_uint("k.neg"); }).find("k.neg"), std::string::npos);
  EXPECT_NE(message([&] { (void)f.get_string("k.n"); }).find("expected string"),
            std::string::npos);
  EXPECT_NE(message([&] { (void)f.tensor("nope"); }).find("'nope'"), std::string::npos);

  File moved = File::open(path);
  File other = std::move(moved);
  EXPECT_EQ(other.tensors().size(), 1u);
  EXPECT_EQ(other.tensor_data(other.tensor("w"))[0], f.tensor_data(f.tensor("w"))[0]);
}

TEST(GgufWriter, RejectsMisuseWithClearErrors) {
  TempDir dir;
  const std::string path = dir.file("bad.gguf").string();
  EXPECT_THROW(Writer(path, 48), Error);
  {
    Writer w(path);
    EXPECT_THROW(w.add_tensor("x", {33}, DType::q4_0), Error);  // partial block
    EXPECT_THROW(w.add_tensor("x", {}, DType::f32), Error);
    EXPECT_THROW(w.add_tensor("x", {1, 1, 1, 1, 1}, DType::f32), Error);
    EXPECT_THROW(w.add_tensor("x", {32, 0}, DType::f32), Error);
    EXPECT_THROW(w.add("general.alignment", Value::u32(64)), Error);  // disagrees with 32
    w.add("k", Value::u8(1));
    EXPECT_THROW(w.add("k", Value::u8(2)), Error);
    w.add_tensor("a", {32}, DType::f32);
    w.add_tensor("b", {32}, DType::q8_0);
    EXPECT_THROW(w.add_tensor("a", {32}, DType::f32), Error);
    w.begin_data();
    EXPECT_THROW(w.add("late", Value::u8(1)), Error);
    std::vector<uint8_t> bytes(128, 1);
    EXPECT_THROW(w.write_tensor("b", bytes.data(), 34), Error);   // out of order
    EXPECT_THROW(w.write_tensor("a", bytes.data(), 100), Error);  // wrong size
    EXPECT_THROW(w.write_tensor_chunk(bytes.data(), 129), Error);  // overruns 'a'
    w.write_tensor("a", bytes.data(), 128);
    w.write_tensor_chunk(bytes.data(), 10);
    try {
      w.finish();
      FAIL() << "finish() accepted a partly written tensor";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("tensor 'b' has 10 of 34 bytes"), std::string::npos)
          << e.what();
    }
  }
  // A writer that never finished leaves no truncated file behind.
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(GgufRealModel, SmolLm2LayoutIsAsExpected) {
  SB_REQUIRE_REAL_MODEL(model);
  const File f = File::open(model.string());
  EXPECT_EQ(f.version(), 3u);
  EXPECT_EQ(f.tensors().size(), 272u);
  EXPECT_EQ(f.get_string("general.architecture"), "llama");
  EXPECT_EQ(f.get_uint("llama.block_count"), 30u);
  EXPECT_EQ(f.get_uint("llama.embedding_length"), 576u);
  const TensorInfo& emb = f.tensor("token_embd.weight");
  EXPECT_EQ(emb.type, DType::q8_0);
  EXPECT_EQ(emb.dims, (std::vector<uint64_t>{576, 49152}));
  const TensorInfo& q = f.tensor("blk.0.attn_q.weight");
  EXPECT_EQ(q.type, DType::q4_1);
  EXPECT_EQ(q.dims, (std::vector<uint64_t>{576, 576}));
  const Value& tokens = f.at("tokenizer.ggml.tokens");
  EXPECT_EQ(tokens.array_type(), ValueType::string);
  EXPECT_EQ(tokens.size(), 49152u);
  EXPECT_EQ(tokens.strings().size(), 49152u);
  // Every tensor's data lies inside the file and dequantizes to finite values.
  for (const TensorInfo& t : f.tensors()) {
    ASSERT_LE(f.data_offset() + t.offset + t.n_bytes(), f.file_size()) << t.name;
    std::vector<float> row(t.cols());
    dequantize_row(t.type, f.tensor_data(t), row.data(), static_cast<int64_t>(t.cols()));
    ASSERT_TRUE(std::all_of(row.begin(), row.end(), [](float v) { return std::isfinite(v); }))
        << t.name;
  }
}

}  // namespace
}  // namespace swapbench::gguf
