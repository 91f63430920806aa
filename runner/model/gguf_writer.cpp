// Streaming GGUF v3 writer: header and infos up front, tensor bytes streamed in order.
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "runner/model/gguf.h"

namespace swapbench::gguf {
namespace {

constexpr uint32_t kMagic = 0x46554747;  // "GGUF" little-endian
constexpr uint32_t kVersion = 3;
constexpr size_t kBufferBytes = size_t{1} << 20;  // a few large writes instead of many small ones
constexpr uint64_t kDefaultAlignment = 32;

uint64_t align_up(uint64_t x, uint64_t a) { return (x + a - 1) / a * a; }

}  // namespace

Writer::Writer(std::string path, uint64_t alignment)
    : path_(std::move(path)), alignment_(alignment) {
  if (alignment_ == 0 || (alignment_ & (alignment_ - 1)) != 0)
    fail("alignment " + std::to_string(alignment_) + " is not a power of two");
}

Writer::~Writer() {
  if (f_) {
    std::fclose(f_);
    f_ = nullptr;
  }
  if (stage_ != Stage::finished) {
    std::error_code ec;  // never throw from a destructor; a missing file is fine
    std::filesystem::remove(path_, ec);
  }
}

void Writer::fail(const std::string& what) const { throw Error(path_ + ": " + what); }

void Writer::add(std::string key, Value v) {
  if (stage_ != Stage::declaring) fail("add('" + key + "') after begin_data()");
  for (const KeyValue& kv : kv_)
    if (kv.key == key) fail("duplicate key '" + key + "'");
  if (key == "general.alignment" && !(v.type() == ValueType::u32 && v.as_uint() == alignment_))
    fail("general.alignment must be the u32 " + std::to_string(alignment_) +
         " given to the Writer");
  kv_.push_back({std::move(key), std::move(v)});
}

void Writer::add_tensor(std::string name, std::vector<uint64_t> dims, DType type) {
  if (stage_ != Stage::declaring) fail("add_tensor('" + name + "') after begin_data()");
  const std::string tn = "tensor '" + name + "': ";
  const auto info = dtype_info(static_cast<uint32_t>(type));
  if (!info) fail(tn + "unknown type id " + std::to_string(static_cast<uint32_t>(type)));
  if (dims.empty() || dims.size() > 4)
    fail(tn + std::to_string(dims.size()) + " dimensions, expected 1..4");
  uint64_t n = 1;
  for (uint64_t d : dims) {
    if (d == 0) fail(tn + "a dimension is 0");
    if (__builtin_mul_overflow(n, d, &n)) fail(tn + "element count overflows");
  }
  if (dims[0] % info->block_size != 0)
    fail(tn + "row length " + std::to_string(dims[0]) + " is not a multiple of the " +
         std::string(info->name) + " block size " + std::to_string(info->block_size));
  for (const TensorInfo& t : tensors_)
    if (t.name == name) fail("duplicate tensor name '" + name + "'");
  TensorInfo ti{std::move(name), std::move(dims), type, data_bytes_};
  data_bytes_ = align_up(data_bytes_ + ti.n_bytes(), alignment_);
  tensors_.push_back(std::move(ti));
}

void Writer::put(const void* p, uint64_t n) {
  if (n == 0) return;
  if (std::fwrite(p, 1, n, f_) != n) fail(std::string("write failed: ") + std::strerror(errno));
  pos_ += n;
}

void Writer::pad_to(uint64_t absolute) {
  static constexpr char kZeros[256] = {};
  while (pos_ < absolute) put(kZeros, std::min<uint64_t>(sizeof kZeros, absolute - pos_));
}

void Writer::put_string(const std::string& s) {
  const uint64_t n = s.size();
  put(&n, sizeof n);
  put(s.data(), n);
}

void Writer::put_value(const Value& v) {
  // Scalars are written from the accessor of their exact type, so the stored width is exact.
  switch (v.type()) {
    case ValueType::u8: { const auto x = static_cast<uint8_t>(v.as_uint()); put(&x, 1); return; }
    case ValueType::i8: { const auto x = static_cast<int8_t>(v.as_int()); put(&x, 1); return; }
    case ValueType::u16: { const auto x = static_cast<uint16_t>(v.as_uint()); put(&x, 2); return; }
    case ValueType::i16: { const auto x = static_cast<int16_t>(v.as_int()); put(&x, 2); return; }
    case ValueType::u32: { const auto x = static_cast<uint32_t>(v.as_uint()); put(&x, 4); return; }
    case ValueType::i32: { const auto x = static_cast<int32_t>(v.as_int()); put(&x, 4); return; }
    case ValueType::u64: { const uint64_t x = v.as_uint(); put(&x, 8); return; }
    case ValueType::i64: { const int64_t x = v.as_int(); put(&x, 8); return; }
    case ValueType::f32: { const float x = v.as_f32(); put(&x, 4); return; }
    case ValueType::f64: { const double x = v.as_float(); put(&x, 8); return; }
    case ValueType::boolean: { const uint8_t x = v.as_bool() ? 1 : 0; put(&x, 1); return; }
    case ValueType::string: put_string(v.as_string()); return;
    case ValueType::array: {
      const auto et = static_cast<uint32_t>(v.array_type());
      const uint64_t n = v.size();
      put(&et, sizeof et);
      put(&n, sizeof n);
      for (const Value& e : v.elements()) put_value(e);
      return;
    }
  }
  fail("cannot write a value of type " + std::to_string(static_cast<uint32_t>(v.type())));
}

void Writer::begin_data() {
  if (stage_ != Stage::declaring) fail("begin_data() called twice");
  if (alignment_ != kDefaultAlignment) {
    bool have = false;
    for (const KeyValue& kv : kv_) have = have || kv.key == "general.alignment";
    if (!have) kv_.push_back({"general.alignment", Value::u32(static_cast<uint32_t>(alignment_))});
  }
  f_ = std::fopen(path_.c_str(), "wb");
  if (!f_) fail(std::string("cannot create: ") + std::strerror(errno));
  buf_.resize(kBufferBytes);
  std::setvbuf(f_, buf_.data(), _IOFBF, buf_.size());
  stage_ = Stage::data;

  put(&kMagic, sizeof kMagic);
  put(&kVersion, sizeof kVersion);
  const uint64_t n_tensors = tensors_.size();
  const uint64_t n_kv = kv_.size();
  put(&n_tensors, sizeof n_tensors);
  put(&n_kv, sizeof n_kv);
  for (const KeyValue& kv : kv_) {
    put_string(kv.key);
    const auto t = static_cast<uint32_t>(kv.value.type());
    put(&t, sizeof t);
    put_value(kv.value);
  }
  for (const TensorInfo& ti : tensors_) {
    put_string(ti.name);
    const auto n_dims = static_cast<uint32_t>(ti.dims.size());
    put(&n_dims, sizeof n_dims);
    put(ti.dims.data(), ti.dims.size() * sizeof(uint64_t));
    const auto type = static_cast<uint32_t>(ti.type);
    put(&type, sizeof type);
    put(&ti.offset, sizeof ti.offset);
  }
  data_offset_ = align_up(pos_, alignment_);
  pad_to(data_offset_);
}

void Writer::write_tensor(std::string_view name, const void* bytes, uint64_t n) {
  if (stage_ != Stage::data)
    fail("write_tensor('" + std::string(name) + "') outside the data stage");
  if (cur_ >= tensors_.size())
    fail("write_tensor('" + std::string(name) + "'): every declared tensor is already written");
  const TensorInfo& t = tensors_[cur_];
  if (t.name != name)
    fail("write_tensor('" + std::string(name) + "'): the next declared tensor is '" + t.name +
         "'");
  if (cur_written_ != 0)
    fail("write_tensor('" + std::string(name) + "'): tensor is already partly written");
  if (n != t.n_bytes())
    fail("write_tensor('" + std::string(name) + "'): " + std::to_string(n) +
         " bytes given, the tensor holds " + std::to_string(t.n_bytes()));
  write_tensor_chunk(bytes, n);
}

void Writer::write_tensor_chunk(const void* bytes, uint64_t n) {
  if (stage_ != Stage::data) fail("write_tensor_chunk() outside the data stage");
  if (cur_ >= tensors_.size()) fail("write_tensor_chunk(): every declared tensor is written");
  const TensorInfo& t = tensors_[cur_];
  const uint64_t total = t.n_bytes();
  if (n > total - cur_written_)
    fail("tensor '" + t.name + "': chunk of " + std::to_string(n) + " bytes overruns it by " +
         std::to_string(n - (total - cur_written_)) + " bytes");
  if (cur_written_ == 0) pad_to(data_offset_ + t.offset);
  put(bytes, n);
  cur_written_ += n;
  if (cur_written_ == total) {
    ++cur_;
    cur_written_ = 0;
  }
}

void Writer::finish() {
  if (stage_ == Stage::declaring) begin_data();  // a file with no tensor data is still valid
  if (stage_ != Stage::data) fail("finish() called twice");
  if (cur_ < tensors_.size())
    fail("finish(): tensor '" + tensors_[cur_].name + "' has " + std::to_string(cur_written_) +
         " of " + std::to_string(tensors_[cur_].n_bytes()) + " bytes written");
  pad_to(data_offset_ + data_bytes_);
  const bool ok = std::fflush(f_) == 0 && !std::ferror(f_);
  const int e = errno;
  const bool closed = std::fclose(f_) == 0;
  f_ = nullptr;
  if (!ok || !closed) fail(std::string("write failed: ") + std::strerror(e));
  stage_ = Stage::finished;
}

}  // namespace swapbench::gguf
