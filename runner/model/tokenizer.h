// Byte-level BPE tokenizer (GPT-2 family: SmolLM2, llama-3) over the vocabulary a GGUF stores.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runner/model/pretokenize.h"

namespace swapbench {

// Token types as tokenizer.ggml.token_type stores them (llama.cpp's llama_token_type).
enum class TokenType : int32_t {
  normal = 1,
  unknown = 2,
  control = 3,
  user_defined = 4,
  unused = 5,
  byte = 6,
};

// What a GGUF stores under tokenizer.ggml.*.
struct Vocab {
  std::vector<std::string> tokens;  // tokenizer.ggml.tokens: GPT-2 byte-to-unicode encoded text
  std::vector<int32_t> types;       // tokenizer.ggml.token_type (TokenType); empty = all normal
  std::vector<std::string> merges;  // tokenizer.ggml.merges: "a b" pairs, highest priority first
  int32_t bos = -1, eos = -1;       // tokenizer.ggml.bos_token_id / eos_token_id; -1 = none
  std::string pre = "default";      // tokenizer.ggml.pre: "smollm", "llama-bpe", "gpt2", "default"
};

// Encodes text to token ids and back, as llama.cpp (and HF tokenizers) do for these vocabularies:
//  1. control and user-defined token texts found literally in the input (e.g. "<|im_start|>")
//     become their ids, longest first, like llama.cpp with parse_special = true;
//  2. the text between them is split by the `pre` pattern (pretokenize.h);
//  3. each piece's bytes become byte tokens, which BPE merges pair by pair, always the pair whose
//     merge comes first in `merges` (leftmost on ties).
// A byte with no token of its own (real vocabularies lack a few, e.g. 0xC0) is dropped, as both
// llama.cpp and HF do; with all 256 byte tokens present, decode(encode(s)) == s for any bytes s.
// Immutable after construction, so one instance may serve several threads.
class Tokenizer {
 public:
  // Validates: types match tokens in number and range, no token text twice, normal tokens are
  // byte-level text, bos/eos in range, each merge is "a b" with a, b and ab all tokens.
  // Throws std::runtime_error with a one-line message.
  explicit Tokenizer(Vocab v);

  // add_bos prepends bos() (throws when the vocabulary has none).
  std::vector<int32_t> encode(std::string_view text, bool add_bos = false) const;
  // Concatenated token bytes. Control and unused tokens render as nothing, like llama.cpp's
  // detokenizer without `special`, unless render_special. Throws on an id out of range.
  std::string decode(std::span<const int32_t> ids, bool render_special = false) const;
  // The bytes of one token; control tokens give their text ("<|im_end|>").
  std::string token_text(int32_t id) const;

  int32_t bos() const { return vocab_.bos; }
  int32_t eos() const { return vocab_.eos; }
  size_t size() const { return vocab_.tokens.size(); }
  TokenType type(int32_t id) const;
  const Vocab& vocab() const { return vocab_; }

 private:
  struct Merge {
    int32_t rank;
    int32_t result;
  };
  static uint64_t pair_key(int32_t a, int32_t b) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
  }
  void check_id(int32_t id) const;
  void encode_piece(std::string_view piece, std::vector<int32_t>& out) const;

  Vocab vocab_;
  PreTokenizer pre_;
  std::vector<std::string> bytes_;              // decoded bytes of each token
  std::array<int32_t, 256> byte_token_{};       // token of each single byte, or -1
  std::unordered_map<uint64_t, Merge> merges_;  // (left id, right id) -> rank, merged id
  std::vector<int32_t> specials_;               // matched literally, longest text first
  std::array<bool, 256> special_first_byte_{};  // quick filter for the literal match
};

}  // namespace swapbench
