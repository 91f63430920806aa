// Tests that gguf::File::open rejects each kind of malformed file with a one-line, telling Error.
#include <gtest/gtest.h>

#include <cstring>
#include <limits>

#include "runner/model/gguf.h"
#include "support/test_support.h"

namespace swapbench::gguf {
namespace {

// A small valid file built with the Writer; each test corrupts one thing and re-opens it.
// Names are chosen so that every field can be found by searching for a unique string.
class GgufRejects : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string path = dir_.file("valid.gguf").string();
    {
      Writer w(path);
      w.add("general.architecture", Value::string("llama"));
      w.add("general.alignment", Value::u32(32));
      w.add("key.aaaa", Value::u32(7));
      w.add("key.bbbb", Value::i32s({1, 2, 3}));
      w.add_tensor("tensor.aaaa", {32, 2}, DType::f32);  // 256 bytes at offset 0
      w.add_tensor("tensor.bbbb", {64}, DType::q4_0);    // 36 bytes at offset 256
      w.begin_data();
      const std::vector<float> a = test::random_floats(64, 1);
      w.write_tensor("tensor.aaaa", a.data(), a.size() * sizeof(float));
      const std::vector<uint8_t> b(36, 0x5a);
      w.write_tensor("tensor.bbbb", b.data(), b.size());
      w.finish();
    }
    bytes_ = test::read_bytes(path);
    const File f = File::open(path);  // the baseline must be valid
    data_offset_ = f.data_offset();
  }

  // Offset of the first byte after the unique string `s` in the file.
  size_t after(std::string_view s) const {
    const auto it = std::search(bytes_.begin(), bytes_.end(), s.begin(), s.end());
    EXPECT_NE(it, bytes_.end()) << s;
    return static_cast<size_t>(it - bytes_.begin()) + s.size();
  }
  // Offset of the u64 length that precedes the string `s`.
  size_t length_of(std::string_view s) const { return after(s) - s.size() - 8; }
  // Field offsets of a tensor info: n_dims, then dims, then type, then offset.
  size_t n_dims_of(std::string_view tensor) const { return after(tensor); }
  size_t dim_of(std::string_view tensor, int i) const { return after(tensor) + 4 + 8 * i; }
  size_t type_of(std::string_view tensor, int n_dims) const { return dim_of(tensor, n_dims); }
  size_t offset_of(std::string_view tensor, int n_dims) const {
    return type_of(tensor, n_dims) + 4;
  }

  template <typename T>
  void patch(size_t at, T v) {
    ASSERT_LE(at + sizeof v, bytes_.size());
    std::memcpy(bytes_.data() + at, &v, sizeof v);
  }

  // Writes the corrupted bytes and returns open()'s error message ("" when it did not throw).
  std::string open_error() {
    const auto p = dir_.file("corrupt.gguf");
    test::write_bytes(p, bytes_);
    return open_error_at(p.string());
  }
  static std::string open_error_at(const std::string& path) {
    try {
      File::open(path);
    } catch (const Error& e) {
      const std::string msg = e.what();
      EXPECT_EQ(msg.find('\n'), std::string::npos) << "multi-line message: " << msg;
      EXPECT_EQ(msg.rfind(path + ": ", 0), 0u) << "message does not start with the path: " << msg;
      return msg;
    }
    return "";
  }

  test::TempDir dir_;
  std::vector<uint8_t> bytes_;
  uint64_t data_offset_ = 0;
};

#define EXPECT_MESSAGE_HAS(msg, needle) \
  EXPECT_NE((msg).find(needle), std::string::npos) << "message: '" << (msg) << "'"

TEST_F(GgufRejects, BadMagic) {
  bytes_[0] = 'X';
  EXPECT_MESSAGE_HAS(open_error(), "bad magic");
}

TEST_F(GgufRejects, VersionOneAndTwo) {
  patch<uint32_t>(4, 2);
  EXPECT_MESSAGE_HAS(open_error(), "unsupported GGUF version 2");
  patch<uint32_t>(4, 1);
  EXPECT_MESSAGE_HAS(open_error(), "unsupported GGUF version 1");
}

TEST_F(GgufRejects, TruncatedHeader) {
  bytes_.resize(20);
  EXPECT_MESSAGE_HAS(open_error(), "header truncated");
}

TEST_F(GgufRejects, KeyLengthPastEndOfFile) {
  patch<uint64_t>(length_of("general.architecture"), 1ull << 40);
  EXPECT_MESSAGE_HAS(open_error(), "runs past end of file");
}

TEST_F(GgufRejects, AbsurdTensorCount) {
  patch<uint64_t>(8, 1ull << 60);
  EXPECT_MESSAGE_HAS(open_error(), "tensor_count 1152921504606846976 cannot fit");
}

TEST_F(GgufRejects, AbsurdKvCount) {
  patch<uint64_t>(16, 1ull << 62);
  EXPECT_MESSAGE_HAS(open_error(), "kv_count 4611686018427387904 cannot fit");
}

TEST_F(GgufRejects, AbsurdArrayLength) {
  // key.bbbb: type u32, element type u32, then the length.
  patch<uint64_t>(after("key.bbbb") + 8, 1ull << 50);
  const std::string msg = open_error();
  EXPECT_MESSAGE_HAS(msg, "key 'key.bbbb': array length");
  EXPECT_MESSAGE_HAS(msg, "cannot fit");
}

TEST_F(GgufRejects, UnknownValueType) {
  patch<uint32_t>(after("key.aaaa"), 99);
  EXPECT_MESSAGE_HAS(open_error(), "key 'key.aaaa': unknown value type 99");
}

TEST_F(GgufRejects, UnknownArrayElementType) {
  patch<uint32_t>(after("key.bbbb") + 4, 13);
  EXPECT_MESSAGE_HAS(open_error(), "unknown array element value type 13");
}

TEST_F(GgufRejects, UnknownTensorTypeNamesTensorAndId) {
  patch<uint32_t>(type_of("tensor.bbbb", 1), 99);
  EXPECT_MESSAGE_HAS(open_error(), "tensor 'tensor.bbbb': unknown tensor type id 99");
  patch<uint32_t>(type_of("tensor.bbbb", 1), 4);  // the removed q4_2
  EXPECT_MESSAGE_HAS(open_error(), "unknown tensor type id 4");
}

TEST_F(GgufRejects, ZeroDims) {
  patch<uint32_t>(n_dims_of("tensor.aaaa"), 0);
  EXPECT_MESSAGE_HAS(open_error(), "tensor 'tensor.aaaa': n_dims 0");
}

TEST_F(GgufRejects, MoreThanFourDims) {
  patch<uint32_t>(n_dims_of("tensor.aaaa"), 5);
  EXPECT_MESSAGE_HAS(open_error(), "tensor 'tensor.aaaa': n_dims 5");
}

TEST_F(GgufRejects, DimensionOfZero) {
  patch<uint64_t>(dim_of("tensor.aaaa", 1), 0);
  EXPECT_MESSAGE_HAS(open_error(), "tensor 'tensor.aaaa': dimension 1 is 0");
}

TEST_F(GgufRejects, ElementCountOverflow) {
  patch<uint64_t>(dim_of("tensor.aaaa", 0), 1ull << 40);
  patch<uint64_t>(dim_of("tensor.aaaa", 1), 1ull << 40);
  EXPECT_MESSAGE_HAS(open_error(), "element count overflows");
}

TEST_F(GgufRejects, RowLengthNotMultipleOfBlockSize) {
  patch<uint64_t>(dim_of("tensor.bbbb", 0), 48);
  EXPECT_MESSAGE_HAS(open_error(), "row length 48 is not a multiple of the q4_0 block size 32");
}

TEST_F(GgufRejects, MisalignedTensorOffset) {
  patch<uint64_t>(offset_of("tensor.bbbb", 1), 256 + 8);
  EXPECT_MESSAGE_HAS(open_error(), "offset 264 is not a multiple of the alignment 32");
}

TEST_F(GgufRejects, TruncatedTensorData) {
  bytes_.resize(data_offset_ + 256 + 35);  // one byte short of tensor.bbbb
  const std::string msg = open_error();
  EXPECT_MESSAGE_HAS(msg, "tensor 'tensor.bbbb'");
  EXPECT_MESSAGE_HAS(msg, "runs past end of file");
}

TEST_F(GgufRejects, TensorOffsetFarPastEnd) {
  patch<uint64_t>(offset_of("tensor.bbbb", 1), ~0ull & ~31ull);  // offset + size would wrap
  EXPECT_MESSAGE_HAS(open_error(), "runs past end of file");
}

TEST_F(GgufRejects, OverlappingTensors) {
  patch<uint64_t>(offset_of("tensor.bbbb", 1), 224);  // inside tensor.aaaa's [0, 256)
  EXPECT_MESSAGE_HAS(open_error(), "tensors 'tensor.aaaa' and 'tensor.bbbb' overlap");
}

TEST_F(GgufRejects, DuplicateTensorNames) {
  const size_t at = after("tensor.bbbb") - 4;
  std::memcpy(bytes_.data() + at, "aaaa", 4);
  EXPECT_MESSAGE_HAS(open_error(), "duplicate tensor name 'tensor.aaaa'");
}

TEST_F(GgufRejects, DuplicateKeys) {
  const size_t at = after("key.bbbb") - 4;
  std::memcpy(bytes_.data() + at, "aaaa", 4);
  EXPECT_MESSAGE_HAS(open_error(), "duplicate key 'key.aaaa'");
}

TEST_F(GgufRejects, AlignmentNotPowerOfTwo) {
  patch<uint32_t>(after("general.alignment") + 4, 48);
  EXPECT_MESSAGE_HAS(open_error(), "general.alignment 48 is not a power of two");
  patch<uint32_t>(after("general.alignment") + 4, 0);
  EXPECT_MESSAGE_HAS(open_error(), "general.alignment 0 is not a power of two");
}

TEST_F(GgufRejects, BoolThatIsNeitherZeroNorOne) {
  // Re-type key.aaaa (u32 7) as a bool: it then reads one byte, 7, and the rest misparses.
  patch<uint32_t>(after("key.aaaa"), static_cast<uint32_t>(ValueType::boolean));
  EXPECT_MESSAGE_HAS(open_error(), "bool value 7 is not 0 or 1");
}

TEST_F(GgufRejects, DeeplyNestedArrays) {
  // kv_count 1: key "k" holding 100 arrays nested in each other.
  std::vector<uint8_t> b(bytes_.begin(), bytes_.begin() + 8);
  auto put = [&b](auto v) {
    const auto* p = reinterpret_cast<const uint8_t*>(&v);
    b.insert(b.end(), p, p + sizeof v);
  };
  put(uint64_t{0});
  put(uint64_t{1});
  put(uint64_t{1});
  b.push_back('k');
  put(static_cast<uint32_t>(ValueType::array));
  for (int i = 0; i < 100; ++i) {
    put(static_cast<uint32_t>(ValueType::array));
    put(uint64_t{1});
  }
  bytes_ = b;
  EXPECT_MESSAGE_HAS(open_error(), "nested deeper than");
}

TEST_F(GgufRejects, EveryTruncationOfAValidFileIsAnErrorNotACrash) {
  const std::vector<uint8_t> full = bytes_;
  for (size_t n = 1; n < data_offset_ + 256 + 36; ++n) {
    bytes_.assign(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
    ASSERT_NE(open_error(), "") << "truncated to " << n << " bytes was accepted";
  }
}

TEST_F(GgufRejects, EmptyFile) {
  bytes_.clear();
  EXPECT_MESSAGE_HAS(open_error(), "empty file");
}

TEST_F(GgufRejects, FileSmallerThanHeaderWithGoodMagic) {
  bytes_.resize(10);
  EXPECT_MESSAGE_HAS(open_error(), "header truncated: file has 10 bytes");
}

TEST_F(GgufRejects, Directory) {
  EXPECT_MESSAGE_HAS(open_error_at(dir_.path().string()), "is a directory");
}

TEST_F(GgufRejects, MissingFile) {
  EXPECT_MESSAGE_HAS(open_error_at(dir_.file("absent.gguf").string()),
                     "cannot open: No such file or directory");
}

}  // namespace
}  // namespace swapbench::gguf
