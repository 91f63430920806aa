// Strict GGUF v3 reader: maps the file, bounds-checks every read, validates the whole layout once.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include "runner/model/gguf.h"

namespace swapbench::gguf {
namespace {

constexpr uint32_t kMagic = 0x46554747;  // "GGUF" read as little-endian u32
constexpr uint64_t kHeaderBytes = 24;    // magic, version, tensor_count, kv_count
constexpr uint32_t kMaxDims = 4;
constexpr int kMaxArrayDepth = 16;  // a crafted file could otherwise nest until the stack dies
// Smallest encodings, to reject counts that cannot fit before allocating anything.
constexpr uint64_t kMinKvBytes = 8 + 4 + 1;              // empty key, type, u8 value
constexpr uint64_t kMinTensorInfoBytes = 8 + 4 + 8 + 4 + 8;  // empty name, one dim

uint64_t min_value_bytes(ValueType t) {
  switch (t) {
    case ValueType::u8: case ValueType::i8: case ValueType::boolean: return 1;
    case ValueType::u16: case ValueType::i16: return 2;
    case ValueType::u32: case ValueType::i32: case ValueType::f32: return 4;
    case ValueType::u64: case ValueType::i64: case ValueType::f64: return 8;
    case ValueType::string: return 8;
    case ValueType::array: return 12;
  }
  return 1;
}

// A bounds-checked little-endian cursor over the mapping; every failure names the offset.
class Cursor {
 public:
  Cursor(const uint8_t* base, uint64_t size, const std::string& path)
      : base_(base), size_(size), path_(path) {}

  uint64_t pos() const { return pos_; }
  uint64_t remaining() const { return size_ - pos_; }

  [[noreturn]] void fail(const std::string& what) const { throw Error(path_ + ": " + what); }

  template <typename T>
  T read(const char* what) {
    if (remaining() < sizeof(T))
      fail("file truncated while reading " + std::string(what) + " at offset " +
           std::to_string(pos_));
    T v;
    std::memcpy(&v, base_ + pos_, sizeof v);
    pos_ += sizeof v;
    return v;
  }

  std::string read_string(const char* what) {
    const uint64_t start = pos_;
    const uint64_t n = read<uint64_t>(what);
    if (n > remaining())
      fail(std::string(what) + " length " + std::to_string(n) + " at offset " +
           std::to_string(start) + " runs past end of file");
    std::string s(reinterpret_cast<const char*>(base_ + pos_), n);
    pos_ += n;
    return s;
  }

  // Throws unless `count` items of at least `min_bytes` each fit in what is left.
  void check_count(uint64_t count, uint64_t min_bytes, const std::string& what) const {
    if (count > remaining() / min_bytes)
      fail(what + " " + std::to_string(count) + " cannot fit in the " +
           std::to_string(remaining()) + " bytes left at offset " + std::to_string(pos_));
  }

  Value read_value(ValueType t, const std::string& key, int depth) {
    switch (t) {
      case ValueType::u8: return Value::u8(read<uint8_t>("a u8 value"));
      case ValueType::i8: return Value::i8(read<int8_t>("an i8 value"));
      case ValueType::u16: return Value::u16(read<uint16_t>("a u16 value"));
      case ValueType::i16: return Value::i16(read<int16_t>("an i16 value"));
      case ValueType::u32: return Value::u32(read<uint32_t>("a u32 value"));
      case ValueType::i32: return Value::i32(read<int32_t>("an i32 value"));
      case ValueType::u64: return Value::u64(read<uint64_t>("a u64 value"));
      case ValueType::i64: return Value::i64(read<int64_t>("an i64 value"));
      case ValueType::f32: return Value::f32(read<float>("an f32 value"));
      case ValueType::f64: return Value::f64(read<double>("an f64 value"));
      case ValueType::boolean: {
        const uint8_t b = read<uint8_t>("a bool value");
        if (b > 1) fail("key '" + key + "': bool value " + std::to_string(b) + " is not 0 or 1");
        return Value::boolean(b != 0);
      }
      case ValueType::string: return Value::string(read_string("string value"));
      case ValueType::array: {
        if (depth >= kMaxArrayDepth)
          fail("key '" + key + "': arrays nested deeper than " + std::to_string(kMaxArrayDepth));
        const uint32_t et = read<uint32_t>("an array element type");
        if (!valid_value_type(et))
          fail("key '" + key + "': unknown array element value type " + std::to_string(et));
        const auto elem = static_cast<ValueType>(et);
        const uint64_t n = read<uint64_t>("an array length");
        check_count(n, min_value_bytes(elem), "key '" + key + "': array length");
        std::vector<Value> elems;
        elems.reserve(n);
        for (uint64_t i = 0; i < n; ++i) elems.push_back(read_value(elem, key, depth + 1));
        return Value::array_of(elem, std::move(elems));
      }
    }
    fail("key '" + key + "': unknown value type " + std::to_string(static_cast<uint32_t>(t)));
  }

 private:
  const uint8_t* base_;
  uint64_t size_;
  const std::string& path_;
  uint64_t pos_ = 0;
};

bool mul_overflows(uint64_t a, uint64_t b, uint64_t* out) {
  return __builtin_mul_overflow(a, b, out);
}

}  // namespace

File File::open(const std::string& path) {
  File f;
  f.path_ = path;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) f.fail(std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int e = errno;
    ::close(fd);
    f.fail(std::string("cannot stat: ") + std::strerror(e));
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    f.fail("is a directory, not a GGUF file");
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    f.fail("not a regular file");
  }
  if (st.st_size == 0) {
    ::close(fd);
    f.fail("empty file, not a GGUF file");
  }
  f.size_ = static_cast<uint64_t>(st.st_size);
  void* m = ::mmap(nullptr, f.size_, PROT_READ, MAP_PRIVATE, fd, 0);
  const int e = errno;
  ::close(fd);  // the mapping keeps the file alive
  if (m == MAP_FAILED) f.fail(std::string("cannot mmap: ") + std::strerror(e));
  f.map_ = static_cast<const uint8_t*>(m);
  f.parse();  // on throw, ~File unmaps
  return f;
}

void File::parse() {
  Cursor c(map_, size_, path_);
  if (size_ >= 4 && c.read<uint32_t>("magic") != kMagic) fail("bad magic: not a GGUF file");
  if (size_ >= 8) {
    version_ = c.read<uint32_t>("version");
    if (version_ != 3)
      fail("unsupported GGUF version " + std::to_string(version_) + " (only 3 is supported)");
  }
  if (size_ < kHeaderBytes)
    fail("header truncated: file has " + std::to_string(size_) + " bytes, the header needs " +
         std::to_string(kHeaderBytes));
  const uint64_t n_tensors = c.read<uint64_t>("tensor_count");
  const uint64_t n_kv = c.read<uint64_t>("kv_count");
  c.check_count(n_tensors, kMinTensorInfoBytes, "tensor_count");
  c.check_count(n_kv, kMinKvBytes, "kv_count");

  kv_.reserve(n_kv);
  for (uint64_t i = 0; i < n_kv; ++i) {
    std::string key = c.read_string("key");
    const uint32_t t = c.read<uint32_t>("a value type");
    if (!valid_value_type(t)) fail("key '" + key + "': unknown value type " + std::to_string(t));
    Value v = c.read_value(static_cast<ValueType>(t), key, 0);
    if (kv_index_.count(key)) fail("duplicate key '" + key + "'");
    kv_index_.emplace(key, kv_.size());
    kv_.push_back({std::move(key), std::move(v)});
  }

  if (const Value* a = find("general.alignment")) {
    if (!a->is_int())
      fail("general.alignment has type " + std::string(type_name(a->type())) +
           ", not an integer");
    const bool negative = a->as_float() < 0;
    const uint64_t al = negative ? 0 : a->as_uint();
    if (al == 0 || (al & (al - 1)) != 0)
      fail("general.alignment " +
           (negative ? std::to_string(a->as_int()) : std::to_string(al)) +
           " is not a power of two");
    alignment_ = al;
  }

  tensors_.reserve(n_tensors);
  for (uint64_t i = 0; i < n_tensors; ++i) {
    TensorInfo ti;
    ti.name = c.read_string("tensor name");
    const std::string tn = "tensor '" + ti.name + "': ";
    const uint32_t n_dims = c.read<uint32_t>("n_dims");
    if (n_dims == 0 || n_dims > kMaxDims)
      fail(tn + "n_dims " + std::to_string(n_dims) + " is outside 1.." +
           std::to_string(kMaxDims));
    uint64_t n_el = 1;
    for (uint32_t d = 0; d < n_dims; ++d) {
      const uint64_t dim = c.read<uint64_t>("a tensor dimension");
      if (dim == 0) fail(tn + "dimension " + std::to_string(d) + " is 0");
      if (mul_overflows(n_el, dim, &n_el) ||
          n_el > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        fail(tn + "element count overflows");
      ti.dims.push_back(dim);
    }
    const uint32_t type_id = c.read<uint32_t>("a tensor type");
    const auto info = dtype_info(type_id);
    if (!info) fail(tn + "unknown tensor type id " + std::to_string(type_id));
    ti.type = static_cast<DType>(type_id);
    if (ti.dims[0] % info->block_size != 0)
      fail(tn + "row length " + std::to_string(ti.dims[0]) + " is not a multiple of the " +
           std::string(info->name) + " block size " + std::to_string(info->block_size));
    uint64_t n_bytes = 0;
    if (mul_overflows(n_el / info->block_size, info->type_size, &n_bytes))
      fail(tn + "byte size overflows");
    ti.offset = c.read<uint64_t>("a tensor offset");
    if (ti.offset % alignment_ != 0)
      fail(tn + "offset " + std::to_string(ti.offset) + " is not a multiple of the alignment " +
           std::to_string(alignment_));
    if (tensor_index_.count(ti.name)) fail("duplicate tensor name '" + ti.name + "'");
    tensor_index_.emplace(ti.name, tensors_.size());
    tensors_.push_back(std::move(ti));
  }

  // The data section starts at the next multiple of the alignment after the tensor infos.
  const uint64_t end_infos = c.pos();
  const uint64_t pad = (alignment_ - end_infos % alignment_) % alignment_;
  data_offset_ = end_infos + pad;
  const uint64_t data_bytes = data_offset_ <= size_ ? size_ - data_offset_ : 0;

  std::vector<const TensorInfo*> by_offset;
  by_offset.reserve(tensors_.size());
  for (const TensorInfo& t : tensors_) {
    const uint64_t n = t.n_bytes();
    if (t.offset > data_bytes || n > data_bytes - t.offset)
      fail("tensor '" + t.name + "': data [" + std::to_string(t.offset) + ", +" +
           std::to_string(n) + ") runs past end of file (data section holds " +
           std::to_string(data_bytes) + " bytes): truncated tensor data");
    by_offset.push_back(&t);
  }
  std::sort(by_offset.begin(), by_offset.end(),
            [](const TensorInfo* a, const TensorInfo* b) { return a->offset < b->offset; });
  for (size_t i = 1; i < by_offset.size(); ++i) {
    const TensorInfo& a = *by_offset[i - 1];
    const TensorInfo& b = *by_offset[i];
    if (a.offset + a.n_bytes() > b.offset)
      fail("tensors '" + a.name + "' and '" + b.name + "' overlap (offsets " +
           std::to_string(a.offset) + " and " + std::to_string(b.offset) + ")");
  }
}

File::File(File&& o) noexcept { *this = std::move(o); }

File& File::operator=(File&& o) noexcept {
  if (this != &o) {
    release();
    path_ = std::move(o.path_);
    map_ = o.map_;
    size_ = o.size_;
    version_ = o.version_;
    alignment_ = o.alignment_;
    data_offset_ = o.data_offset_;
    kv_ = std::move(o.kv_);
    kv_index_ = std::move(o.kv_index_);
    tensors_ = std::move(o.tensors_);
    tensor_index_ = std::move(o.tensor_index_);
    o.map_ = nullptr;
    o.size_ = 0;
  }
  return *this;
}

File::~File() { release(); }

void File::release() {
  if (map_) ::munmap(const_cast<uint8_t*>(map_), size_);
  map_ = nullptr;
}

void File::fail(const std::string& what) const { throw Error(path_ + ": " + what); }

const Value* File::find(std::string_view key) const {
  const auto it = kv_index_.find(key);
  return it == kv_index_.end() ? nullptr : &kv_[it->second].value;
}

const Value& File::at(std::string_view key) const {
  const Value* v = find(key);
  if (!v) fail("missing key '" + std::string(key) + "'");
  return *v;
}

uint64_t File::get_uint(std::string_view key) const {
  const Value& v = at(key);
  try {
    return v.as_uint();
  } catch (const Error& e) {
    fail("key '" + std::string(key) + "': " + e.what());
  }
}

double File::get_float(std::string_view key) const {
  const Value& v = at(key);
  try {
    return v.as_float();
  } catch (const Error& e) {
    fail("key '" + std::string(key) + "': " + e.what());
  }
}

std::string File::get_string(std::string_view key) const {
  const Value& v = at(key);
  try {
    return v.as_string();
  } catch (const Error& e) {
    fail("key '" + std::string(key) + "': " + e.what());
  }
}

bool File::get_bool(std::string_view key, bool fallback) const {
  const Value* v = find(key);
  if (!v) return fallback;
  try {
    return v->as_bool();
  } catch (const Error& e) {
    fail("key '" + std::string(key) + "': " + e.what());
  }
}

const TensorInfo* File::find_tensor(std::string_view name) const {
  const auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

const TensorInfo& File::tensor(std::string_view name) const {
  const TensorInfo* t = find_tensor(name);
  if (!t) fail("missing tensor '" + std::string(name) + "'");
  return *t;
}

const uint8_t* File::tensor_data(const TensorInfo& t) const {
  return map_ + data_offset_ + t.offset;
}

}  // namespace swapbench::gguf
