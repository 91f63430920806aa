// Tests the tokenizer on the real SmolLM2-135M-Instruct vocabulary against known encodings.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "runner/model/gguf.h"
#include "runner/model/tokenizer.h"
#include "runner/model/tokenizer_gguf.h"
#include "support/test_support.h"

namespace swapbench {
namespace {

struct Known {
  std::string text;
  std::vector<int32_t> ids;
};

// Output of tests/tools/expected_encodings.py: Hugging Face `tokenizers` BPE built from this
// GGUF's tokens and merges, pre-tokenized with Digits(individual_digits) + ByteLevel, control
// tokens added as special tokens. Regenerate with that script if the model file changes.
const std::vector<Known>& known_encodings() {
  static const std::vector<Known> known = {
      {"The capital of France is", {504, 3575, 282, 4649, 314}},
      {"Hello world!", {19556, 905, 17}},
      {" 12345 apples", {216, 33, 34, 35, 36, 37, 13855}},
      {"don't stop", {12420, 982, 2853}},
      {"  leading spaces\n\nnewlines", {216, 2899, 5600, 198, 198, 2241, 5110}},
      {"<|im_start|>user\nHi<|im_end|>", {1, 4093, 198, 26843, 2}},
      {"Café naïve – 中文字符 😀 Привет",
       {51, 1939, 2756, 15486, 46494, 816, 216, 28589, 29184, 36518, 40562, 116, 40303, 218, 5470,
        249, 46879, 16464, 32547}},
      {"for (int i = 0; i < 10; ++i) {",
       {1710, 365, 591, 2056, 446, 216, 32, 43, 2056, 2067, 216, 33, 32, 43, 1232, 27, 89, 25,
        1662}},
      {"I'M   tabs\t\tand CRLF\r\n x²+y³=½",
       {57, 23, 61, 256, 29416, 197, 197, 397, 340, 9483, 54, 2738, 1792, 19133, 27, 105, 39050, 45,
        16738}},
      {"<|im_start|>system\nYou are a helpful AI assistant named SmolLM<|im_end|>\n",
       {1, 9690, 198, 2683, 359, 253, 5356, 5646, 11173, 3365, 3511, 308, 34519, 2, 198}},
  };
  return known;
}

Tokenizer load_real_tokenizer(const std::filesystem::path& path) {
  const gguf::File file = gguf::File::open(path.string());
  return Tokenizer(vocab_from_gguf(file));
}

TEST(RealVocab, LoadsSmolLM2VocabularyFromTheGguf) {
  SB_REQUIRE_REAL_MODEL(path);
  const Tokenizer tok = load_real_tokenizer(path);
  EXPECT_EQ(tok.size(), 49152u);
  EXPECT_EQ(tok.bos(), 1);
  EXPECT_EQ(tok.eos(), 2);
  EXPECT_EQ(tok.vocab().pre, "smollm");
  EXPECT_EQ(tok.vocab().merges.size(), 48900u);
  EXPECT_EQ(tok.type(1), TokenType::control);
  EXPECT_EQ(tok.token_text(2), "<|im_end|>");
  EXPECT_EQ(tok.token_text(198), "\n");  // stored as "Ċ"
}

TEST(RealVocab, EncodesLikeTheReferenceTokenizer) {
  SB_REQUIRE_REAL_MODEL(path);
  const Tokenizer tok = load_real_tokenizer(path);
  for (const Known& k : known_encodings()) EXPECT_EQ(tok.encode(k.text), k.ids) << k.text;
}

TEST(RealVocab, DecodeInvertsEncode) {
  SB_REQUIRE_REAL_MODEL(path);
  const Tokenizer tok = load_real_tokenizer(path);
  for (const Known& k : known_encodings())
    EXPECT_EQ(tok.decode(tok.encode(k.text), /*render_special=*/true), k.text) << k.text;
  // Without render_special, the chat markers vanish and the content stays.
  EXPECT_EQ(tok.decode(tok.encode("<|im_start|>user\nHi<|im_end|>")), "user\nHi");
}

TEST(RealVocab, AddBosPrependsImStart) {
  SB_REQUIRE_REAL_MODEL(path);
  const Tokenizer tok = load_real_tokenizer(path);
  const std::vector<int32_t> ids = tok.encode("Hello world!", /*add_bos=*/true);
  EXPECT_EQ(ids, (std::vector<int32_t>{1, 19556, 905, 17}));
}

}  // namespace
}  // namespace swapbench
