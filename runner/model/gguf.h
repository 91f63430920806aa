// GGUF v3 files: typed metadata values, a strict memory-mapped reader and a streaming writer.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "kernels/common/dtype.h"

namespace swapbench::gguf {

// Every failure: a one-line message "<path>: <what is wrong>".
struct Error : std::runtime_error {
  using runtime_error::runtime_error;
};

// Metadata value type ids exactly as stored in the file.
enum class ValueType : uint32_t {
  u8 = 0, i8 = 1, u16 = 2, i16 = 3, u32 = 4, i32 = 5, f32 = 6, boolean = 7, string = 8,
  array = 9, u64 = 10, i64 = 11, f64 = 12,
};

// "u32", "string", ...; "type 99" for an id outside the enum.
std::string_view type_name(ValueType t);
// True for the 12 ids the format defines.
bool valid_value_type(uint32_t id);

// One metadata value: a scalar that keeps its exact stored type, a string, or an array (element
// type + elements; arrays of arrays allowed). Wrong-type access throws Error.
class Value {
 public:
  Value() = default;  // a u8 zero; only so containers can hold Values

  static Value u8(uint8_t v);
  static Value i8(int8_t v);
  static Value u16(uint16_t v);
  static Value i16(int16_t v);
  static Value u32(uint32_t v);
  static Value i32(int32_t v);
  static Value u64(uint64_t v);
  static Value i64(int64_t v);
  static Value f32(float v);
  static Value f64(double v);
  static Value boolean(bool v);
  static Value string(std::string v);
  // Every element must have type `elem` (throws Error otherwise).
  static Value array_of(ValueType elem, std::vector<Value> elems);
  static Value strings(const std::vector<std::string>& v);
  static Value i32s(const std::vector<int32_t>& v);
  static Value f32s(const std::vector<float>& v);

  ValueType type() const { return type_; }
  ValueType array_type() const;  // element type; throws unless an array
  bool is_int() const;           // u8..i64 (not boolean)
  bool is_float() const;         // f32 or f64
  bool is_array() const { return type_ == ValueType::array; }

  uint64_t as_uint() const;  // any integer type holding a value >= 0
  int64_t as_int() const;    // any integer type holding a value <= INT64_MAX
  double as_float() const;   // f32, f64, or any integer type
  float as_f32() const;      // f32 only: the stored bits, not rounded through double
  bool as_bool() const;
  const std::string& as_string() const;

  size_t size() const;                         // array length
  const std::vector<Value>& elements() const;  // array elements
  std::vector<std::string> strings() const;    // array of strings
  std::vector<int64_t> ints() const;           // array of any integer type
  std::vector<double> floats() const;          // array of float or integer type

  // Same type (and element type) and same value; floats compare by bits.
  bool operator==(const Value& o) const;

 private:
  [[noreturn]] void wrong_type(std::string_view wanted) const;

  ValueType type_ = ValueType::u8;
  ValueType elem_ = ValueType::u8;  // arrays only
  uint64_t bits_ = 0;               // integers (two's complement), bool, and float bit patterns
  std::string str_;
  std::vector<Value> arr_;
};

struct KeyValue {
  std::string key;
  Value value;
};

struct TensorInfo {
  std::string name;
  std::vector<uint64_t> dims;  // ne0 first (ne0 = contiguous row length), as stored
  DType type;
  uint64_t offset;  // relative to the start of the tensor data section, as stored

  uint64_t n_elements() const;
  uint64_t n_bytes() const;
  uint64_t rows() const;  // product of dims[1..]
  uint64_t cols() const { return dims.empty() ? 0 : dims[0]; }
};

// A read-only, memory-mapped (MAP_PRIVATE, PROT_READ) GGUF v3 file, validated completely on open:
// every later accessor can trust the layout. Movable, not copyable.
class File {
 public:
  static File open(const std::string& path);  // throws Error
  File(File&& o) noexcept;
  File& operator=(File&& o) noexcept;
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  ~File();

  const std::string& path() const { return path_; }
  uint32_t version() const { return version_; }
  uint64_t alignment() const { return alignment_; }  // general.alignment or 32
  const std::vector<KeyValue>& metadata() const { return kv_; }
  const Value* find(std::string_view key) const;  // nullptr when absent
  const Value& at(std::string_view key) const;    // throws Error "<path>: missing key 'k'"
  uint64_t get_uint(std::string_view key) const;  // any integer type
  double get_float(std::string_view key) const;   // float or integer types
  std::string get_string(std::string_view key) const;
  bool get_bool(std::string_view key, bool fallback) const;  // fallback when absent

  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  const TensorInfo* find_tensor(std::string_view name) const;  // nullptr when absent
  const TensorInfo& tensor(std::string_view name) const;       // throws Error naming the tensor
  const uint8_t* tensor_data(const TensorInfo& t) const;       // pointer into the mapping

  uint64_t file_size() const { return size_; }
  uint64_t data_offset() const { return data_offset_; }  // absolute offset of the data section

 private:
  File() = default;
  void release();
  [[noreturn]] void fail(const std::string& what) const;
  void parse();

  std::string path_;
  const uint8_t* map_ = nullptr;
  uint64_t size_ = 0;
  uint32_t version_ = 0;
  uint64_t alignment_ = 32;
  uint64_t data_offset_ = 0;
  std::vector<KeyValue> kv_;
  std::map<std::string, size_t, std::less<>> kv_index_;
  std::vector<TensorInfo> tensors_;
  std::map<std::string, size_t, std::less<>> tensor_index_;
};

// Streaming writer: metadata and tensor infos first, then each tensor's bytes in declaration
// order, never holding tensor data in memory (an 8 GB file is written with ~1 MB of RAM).
// A Writer destroyed before finish() deletes its partial file, so no truncated model remains.
class Writer {
 public:
  explicit Writer(std::string path, uint64_t alignment = 32);
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  void add(std::string key, Value v);  // before begin_data()
  // Before begin_data(); checks 1..4 non-zero dims and dims[0] a multiple of the block size.
  void add_tensor(std::string name, std::vector<uint64_t> dims, DType type);
  void begin_data();  // writes header, kv, tensor infos, padding
  // The whole of the next declared tensor: `name` must be the next one and n its n_bytes.
  void write_tensor(std::string_view name, const void* bytes, uint64_t n);
  // Appends to the tensor being filled (the next declared one when the previous is complete);
  // a chunk may not cross into the following tensor.
  void write_tensor_chunk(const void* bytes, uint64_t n);
  void finish();  // checks every tensor was fully written, pads, closes

  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  const std::string& path() const { return path_; }

 private:
  enum class Stage { declaring, data, finished };
  [[noreturn]] void fail(const std::string& what) const;
  void put(const void* p, uint64_t n);
  void pad_to(uint64_t absolute);
  void put_string(const std::string& s);
  void put_value(const Value& v);

  std::string path_;
  uint64_t alignment_;
  Stage stage_ = Stage::declaring;
  std::vector<KeyValue> kv_;
  std::vector<TensorInfo> tensors_;
  uint64_t data_bytes_ = 0;  // next free offset in the data section
  std::FILE* f_ = nullptr;
  std::vector<char> buf_;
  uint64_t pos_ = 0;          // bytes written so far
  uint64_t data_offset_ = 0;  // absolute start of the data section
  size_t cur_ = 0;            // tensor being filled
  uint64_t cur_written_ = 0;  // its bytes written so far
};

}  // namespace swapbench::gguf
