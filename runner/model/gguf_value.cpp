// GGUF metadata values: constructors, typed accessors, TensorInfo sizes.
#include <cstring>
#include <limits>

#include "runner/model/gguf.h"

namespace swapbench::gguf {
namespace {

bool is_signed(ValueType t) {
  return t == ValueType::i8 || t == ValueType::i16 || t == ValueType::i32 ||
         t == ValueType::i64;
}

bool is_int_type(ValueType t) {
  switch (t) {
    case ValueType::u8: case ValueType::i8: case ValueType::u16: case ValueType::i16:
    case ValueType::u32: case ValueType::i32: case ValueType::u64: case ValueType::i64:
      return true;
    default:
      return false;
  }
}

uint64_t float_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}
uint64_t double_bits(double d) {
  uint64_t u;
  std::memcpy(&u, &d, sizeof u);
  return u;
}

}  // namespace

std::string_view type_name(ValueType t) {
  switch (t) {
    case ValueType::u8: return "u8";
    case ValueType::i8: return "i8";
    case ValueType::u16: return "u16";
    case ValueType::i16: return "i16";
    case ValueType::u32: return "u32";
    case ValueType::i32: return "i32";
    case ValueType::f32: return "f32";
    case ValueType::boolean: return "bool";
    case ValueType::string: return "string";
    case ValueType::array: return "array";
    case ValueType::u64: return "u64";
    case ValueType::i64: return "i64";
    case ValueType::f64: return "f64";
  }
  return "unknown type";
}

bool valid_value_type(uint32_t id) { return id <= static_cast<uint32_t>(ValueType::f64); }

// Integers are stored sign-extended to 64 bits, so as_int() is a plain cast for signed types.
#define SB_INT_CTOR(NAME, CTYPE)                              \
  Value Value::NAME(CTYPE v) {                                \
    Value r;                                                  \
    r.type_ = ValueType::NAME;                                \
    r.bits_ = static_cast<uint64_t>(static_cast<int64_t>(v)); \
    return r;                                                 \
  }
SB_INT_CTOR(i8, int8_t)
SB_INT_CTOR(i16, int16_t)
SB_INT_CTOR(i32, int32_t)
SB_INT_CTOR(i64, int64_t)
#undef SB_INT_CTOR
#define SB_UINT_CTOR(NAME, CTYPE)         \
  Value Value::NAME(CTYPE v) {            \
    Value r;                              \
    r.type_ = ValueType::NAME;            \
    r.bits_ = static_cast<uint64_t>(v);   \
    return r;                             \
  }
SB_UINT_CTOR(u8, uint8_t)
SB_UINT_CTOR(u16, uint16_t)
SB_UINT_CTOR(u32, uint32_t)
SB_UINT_CTOR(u64, uint64_t)
#undef SB_UINT_CTOR

Value Value::f32(float v) {
  Value r;
  r.type_ = ValueType::f32;
  r.bits_ = float_bits(v);
  return r;
}
Value Value::f64(double v) {
  Value r;
  r.type_ = ValueType::f64;
  r.bits_ = double_bits(v);
  return r;
}
Value Value::boolean(bool v) {
  Value r;
  r.type_ = ValueType::boolean;
  r.bits_ = v ? 1 : 0;
  return r;
}
Value Value::string(std::string v) {
  Value r;
  r.type_ = ValueType::string;
  r.str_ = std::move(v);
  return r;
}
Value Value::array_of(ValueType elem, std::vector<Value> elems) {
  if (!valid_value_type(static_cast<uint32_t>(elem)))
    throw Error("array_of: invalid element type " + std::to_string(static_cast<uint32_t>(elem)));
  for (size_t i = 0; i < elems.size(); ++i) {
    if (elems[i].type_ != elem)
      throw Error("array_of: element " + std::to_string(i) + " has type " +
                  std::string(type_name(elems[i].type_)) + ", the array holds " +
                  std::string(type_name(elem)));
  }
  Value r;
  r.type_ = ValueType::array;
  r.elem_ = elem;
  r.arr_ = std::move(elems);
  return r;
}
Value Value::strings(const std::vector<std::string>& v) {
  std::vector<Value> e;
  e.reserve(v.size());
  for (const std::string& s : v) e.push_back(string(s));
  return array_of(ValueType::string, std::move(e));
}
Value Value::i32s(const std::vector<int32_t>& v) {
  std::vector<Value> e;
  e.reserve(v.size());
  for (int32_t x : v) e.push_back(i32(x));
  return array_of(ValueType::i32, std::move(e));
}
Value Value::f32s(const std::vector<float>& v) {
  std::vector<Value> e;
  e.reserve(v.size());
  for (float x : v) e.push_back(f32(x));
  return array_of(ValueType::f32, std::move(e));
}

void Value::wrong_type(std::string_view wanted) const {
  throw Error("value has type " + std::string(type_name(type_)) + ", expected " +
              std::string(wanted));
}

ValueType Value::array_type() const {
  if (type_ != ValueType::array) wrong_type("array");
  return elem_;
}

bool Value::is_int() const { return is_int_type(type_); }

bool Value::is_float() const { return type_ == ValueType::f32 || type_ == ValueType::f64; }

uint64_t Value::as_uint() const {
  if (!is_int()) wrong_type("an integer");
  if (is_signed(type_) && static_cast<int64_t>(bits_) < 0)
    throw Error("value " + std::to_string(static_cast<int64_t>(bits_)) + " is negative");
  return bits_;
}

int64_t Value::as_int() const {
  if (!is_int()) wrong_type("an integer");
  if (!is_signed(type_) && bits_ > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    throw Error("value " + std::to_string(bits_) + " does not fit in int64");
  return static_cast<int64_t>(bits_);
}

double Value::as_float() const {
  if (type_ == ValueType::f32) return as_f32();
  if (type_ == ValueType::f64) {
    double d;
    std::memcpy(&d, &bits_, sizeof d);
    return d;
  }
  if (is_int())
    return is_signed(type_) ? static_cast<double>(static_cast<int64_t>(bits_))
                            : static_cast<double>(bits_);
  wrong_type("a float or an integer");
}

float Value::as_f32() const {
  if (type_ != ValueType::f32) wrong_type("f32");
  const uint32_t u = static_cast<uint32_t>(bits_);
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

bool Value::as_bool() const {
  if (type_ != ValueType::boolean) wrong_type("bool");
  return bits_ != 0;
}

const std::string& Value::as_string() const {
  if (type_ != ValueType::string) wrong_type("string");
  return str_;
}

size_t Value::size() const { return elements().size(); }

const std::vector<Value>& Value::elements() const {
  if (type_ != ValueType::array) wrong_type("array");
  return arr_;
}

std::vector<std::string> Value::strings() const {
  if (array_type() != ValueType::string) wrong_type("array of string");
  std::vector<std::string> r;
  r.reserve(arr_.size());
  for (const Value& v : arr_) r.push_back(v.str_);
  return r;
}

std::vector<int64_t> Value::ints() const {
  if (!is_int_type(array_type())) wrong_type("array of integers");
  std::vector<int64_t> r;
  r.reserve(arr_.size());
  for (const Value& v : arr_) r.push_back(v.as_int());
  return r;
}

std::vector<double> Value::floats() const {
  const ValueType e = array_type();
  if (e != ValueType::f32 && e != ValueType::f64 && !is_int_type(e)) wrong_type("array of floats");
  std::vector<double> r;
  r.reserve(arr_.size());
  for (const Value& v : arr_) r.push_back(v.as_float());
  return r;
}

bool Value::operator==(const Value& o) const {
  return type_ == o.type_ && bits_ == o.bits_ && str_ == o.str_ &&
         (type_ != ValueType::array || (elem_ == o.elem_ && arr_ == o.arr_));
}

uint64_t TensorInfo::n_elements() const {
  uint64_t n = 1;
  for (uint64_t d : dims) n *= d;
  return n;
}

uint64_t TensorInfo::n_bytes() const { return rows() * row_bytes(type, cols()); }

uint64_t TensorInfo::rows() const {
  uint64_t n = 1;
  for (size_t i = 1; i < dims.size(); ++i) n *= dims[i];
  return n;
}

}  // namespace swapbench::gguf
