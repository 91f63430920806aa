// Reads a Tokenizer's Vocab from a GGUF file's tokenizer.ggml.* metadata.
#include "runner/model/tokenizer_gguf.h"

#include <limits>

namespace swapbench {
namespace {

int32_t token_id(const gguf::File& file, std::string_view key) {
  if (file.find(key) == nullptr) return -1;
  const uint64_t id = file.get_uint(key);
  if (id > static_cast<uint64_t>(std::numeric_limits<int32_t>::max()))
    throw std::runtime_error(file.path() + ": " + std::string(key) + " " + std::to_string(id) +
                             " is not a token id");
  return static_cast<int32_t>(id);
}

}  // namespace

Vocab vocab_from_gguf(const gguf::File& file) {
  const std::string model = file.get_string("tokenizer.ggml.model");
  if (model != "gpt2")
    throw std::runtime_error(file.path() + ": tokenizer.ggml.model '" + model +
                             "' is not byte-level BPE ('gpt2')");
  Vocab v;
  v.tokens = file.at("tokenizer.ggml.tokens").strings();
  if (const gguf::Value* types = file.find("tokenizer.ggml.token_type")) {
    v.types.reserve(types->size());
    for (int64_t t : types->ints()) {
      // Out-of-range values are left for Tokenizer to reject with the token's id.
      const bool fits =
          t >= std::numeric_limits<int32_t>::min() && t <= std::numeric_limits<int32_t>::max();
      v.types.push_back(fits ? static_cast<int32_t>(t) : 0);
    }
  }
  if (const gguf::Value* merges = file.find("tokenizer.ggml.merges")) v.merges = merges->strings();
  v.bos = token_id(file, "tokenizer.ggml.bos_token_id");
  v.eos = token_id(file, "tokenizer.ggml.eos_token_id");
  if (file.find("tokenizer.ggml.pre") != nullptr) v.pre = file.get_string("tokenizer.ggml.pre");
  return v;
}

}  // namespace swapbench
