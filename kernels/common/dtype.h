// Element types of GGUF tensors: the ggml type ids, their block layout, and which ones
// swapbench can decode. Shared by the GGUF reader, the quant helpers and every matvec variant.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace swapbench {

// ggml type ids exactly as stored in GGUF tensor infos (never renumber: they are file format).
enum class DType : uint32_t {
  f32 = 0, f16 = 1, q4_0 = 2, q4_1 = 3, q5_0 = 6, q5_1 = 7, q8_0 = 8, q8_1 = 9,
  q2_k = 10, q3_k = 11, q4_k = 12, q5_k = 13, q6_k = 14, q8_k = 15,
  iq2_xxs = 16, iq2_xs = 17, iq3_xxs = 18, iq1_s = 19, iq4_nl = 20, iq3_s = 21, iq2_s = 22,
  iq4_xs = 23, i8 = 24, i16 = 25, i32 = 26, i64 = 27, f64 = 28, iq1_m = 29, bf16 = 30,
  tq1_0 = 34, tq2_0 = 35,
};

// Layout of one type: `block_size` elements are stored in `type_size` bytes.
struct DTypeInfo {
  std::string_view name;  // lower-case ggml name: "q4_1"
  uint32_t block_size;
  uint32_t type_size;
  bool decodable;  // swapbench can quantize/dequantize it (f32 f16 bf16 q8_0 q4_0 q4_1)
};

// Layout of a ggml type id, or nullopt for an id ggml does not define.
std::optional<DTypeInfo> dtype_info(uint32_t id);
inline DTypeInfo info(DType t) { return *dtype_info(static_cast<uint32_t>(t)); }
inline std::string_view name(DType t) { return info(t).name; }

// Parses a lower-case name ("q4_1"); nullopt when unknown.
std::optional<DType> dtype_from_name(std::string_view name);

// Bytes of a row of `n` elements; n must be a multiple of the block size.
inline uint64_t row_bytes(DType t, uint64_t n) {
  const DTypeInfo i = info(t);
  return n / i.block_size * i.type_size;
}

}  // namespace swapbench
