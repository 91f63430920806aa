// Tests the byte-level BPE tokenizer, its pre-tokenizer and the synthetic vocabulary.
#include "runner/model/tokenizer.h"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "runner/model/pretokenize.h"
#include "runner/model/synthetic_vocab.h"

namespace swapbench {
namespace {

const Tokenizer& synthetic() {
  static const Tokenizer tok(make_synthetic_vocab(49152));
  return tok;
}

std::vector<std::string> pieces(std::string_view text, PreTokenizer kind) {
  std::vector<std::string> out;
  for (std::string_view p : pretokenize(text, kind)) out.emplace_back(p);
  return out;
}

using Pieces = std::vector<std::string>;

TEST(PreTokenizer, Gpt2PatternSplitsWordsContractionsPunctuationAndSpaces) {
  // Expected pieces from Python: regex.findall(GPT-2 pattern, text).
  EXPECT_EQ(pieces("Hello world!", PreTokenizer::gpt2), (Pieces{"Hello", " world", "!"}));
  EXPECT_EQ(pieces("don't stop", PreTokenizer::gpt2), (Pieces{"don", "'t", " stop"}));
  EXPECT_EQ(pieces("  leading spaces\n\nnewlines", PreTokenizer::gpt2),
            (Pieces{" ", " leading", " spaces", "\n", "\n", "newlines"}));
  EXPECT_EQ(pieces("a  \n b ", PreTokenizer::gpt2), (Pieces{"a", "  \n", " b", " "}));
  EXPECT_EQ(pieces(" 12345 apples", PreTokenizer::gpt2), (Pieces{" 12345", " apples"}));
  EXPECT_EQ(pieces("x 's ''s", PreTokenizer::gpt2), (Pieces{"x", " '", "s", " ''", "s"}));
  EXPECT_EQ(pieces("café 中文!!", PreTokenizer::gpt2), (Pieces{"café", " 中文", "!!"}));
}

TEST(PreTokenizer, SmollmSplitsEveryDigitBeforeTheGpt2Pattern) {
  EXPECT_EQ(pieces(" 12345 apples", PreTokenizer::smollm),
            (Pieces{" ", "1", "2", "3", "4", "5", " apples"}));
  // The digit split ends a piece, so the whitespace before a digit is a run at its end.
  EXPECT_EQ(pieces("a  1", PreTokenizer::smollm), (Pieces{"a", "  ", "1"}));
  EXPECT_EQ(pieces("x²y", PreTokenizer::smollm), (Pieces{"x", "²", "y"}));
}

TEST(PreTokenizer, Llama3PatternGroupsDigitsByThreeAndKeepsNewlines) {
  // Expected pieces from Python: regex.findall(llama-3 pattern, text).
  EXPECT_EQ(pieces("I'M 1234567 (x)\n\n  y", PreTokenizer::llama_bpe),
            (Pieces{"I", "'M", " ", "123", "456", "7", " (", "x", ")\n\n", " ", " y"}));
  EXPECT_EQ(pieces("a \n\n b", PreTokenizer::llama_bpe), (Pieces{"a", " \n\n", " b"}));
}

TEST(PreTokenizer, PiecesConcatenateToTheInputEvenForInvalidUtf8) {
  const std::string bad = std::string("ok \xC0\xAF \xED\xA0\x80 \xF4\x90\x80\x80 tail\xE2\x82", 21);
  std::string joined;
  for (std::string_view p : pretokenize(bad, PreTokenizer::smollm)) joined += p;
  EXPECT_EQ(joined, bad);
}

TEST(PreTokenizer, ByteToUnicodeMapsEveryByteAndBack) {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  EXPECT_EQ(bytes_to_unicode(" "), "\xC4\xA0");   // 'Ġ'
  EXPECT_EQ(bytes_to_unicode("\n"), "\xC4\x8A");  // 'Ċ'
  EXPECT_EQ(unicode_to_bytes(bytes_to_unicode(all)), all);
  EXPECT_FALSE(unicode_to_bytes("中").has_value());
}

TEST(Tokenizer, RoundTripsAnyTextOnTheSyntheticVocab) {
  const Tokenizer& tok = synthetic();
  const std::vector<std::string> texts = {
      "",
      "The capital of France is",
      "0123456789 3.14159 -42",
      "!@#$%^&*()_+-=[]{}|;':\",./<>?`~",
      "  two\t\ttabs   three    four\n\n\nnewlines\r\n",
      "café naïve é 中文字符 😀👍🏽 Ελληνικά Кириллица",
      "\x01\x02\x7f\xff\xfe raw bytes \xC0",
      "<|im_start|><|unused_3|>x<|im_end",
  };
  for (const std::string& s : texts) {
    const std::vector<int32_t> ids = tok.encode(s);
    EXPECT_EQ(tok.decode(ids, /*render_special=*/true), s) << "text: " << s;
  }
  EXPECT_TRUE(tok.encode("").empty());
}

TEST(Tokenizer, MergesShortenCommonEnglishText) {
  const Tokenizer& tok = synthetic();
  const std::string text = "The capital of France is Paris.";
  const std::vector<int32_t> ids = tok.encode(text);
  EXPECT_LT(ids.size(), text.size() / 2);
  EXPECT_EQ(tok.decode(ids), text);
}

TEST(Tokenizer, EncodingIsDeterministic) {
  const std::string text = "for (int i = 0; i < 10; ++i) { don't 中文 }";
  const Tokenizer other(make_synthetic_vocab(49152));
  EXPECT_EQ(synthetic().encode(text), synthetic().encode(text));
  EXPECT_EQ(synthetic().encode(text), other.encode(text));
}

TEST(Tokenizer, ControlTokenTextInTheInputBecomesItsIdAndDecodesToNothing) {
  const Tokenizer& tok = synthetic();
  const std::vector<int32_t> ids = tok.encode("<|im_start|>user\nHi<|im_end|>");
  ASSERT_GE(ids.size(), 3u);
  EXPECT_EQ(ids.front(), 1);
  EXPECT_EQ(ids.back(), 2);
  EXPECT_EQ(tok.decode(ids), "user\nHi");
  EXPECT_EQ(tok.decode(ids, /*render_special=*/true), "<|im_start|>user\nHi<|im_end|>");
  EXPECT_EQ(tok.token_text(2), "<|im_end|>");
  // Unused tokens are not matched in text: their text is spelled with byte tokens.
  const std::vector<int32_t> unused = tok.encode("<|unused_0|>");
  EXPECT_GT(unused.size(), 1u);
}

TEST(Tokenizer, AddBosPrependsTheBosToken) {
  const Tokenizer& tok = synthetic();
  const std::vector<int32_t> ids = tok.encode("Hi", /*add_bos=*/true);
  ASSERT_FALSE(ids.empty());
  EXPECT_EQ(ids.front(), tok.bos());
  EXPECT_EQ(tok.decode(ids), "Hi");
}

TEST(Tokenizer, TokenTextGivesTheDecodedBytes) {
  const Tokenizer& tok = synthetic();
  EXPECT_EQ(tok.token_text(3), std::string(1, '\0'));        // byte tokens start at id 3
  EXPECT_EQ(tok.token_text(3 + ' '), " ");                   // stored as "Ġ"
  EXPECT_EQ(tok.token_text(3 + 0xE4), std::string("\xE4"));  // a lone UTF-8 lead byte
  EXPECT_THROW(tok.token_text(-1), std::runtime_error);
  EXPECT_THROW(tok.token_text(static_cast<int32_t>(tok.size())), std::runtime_error);
}

TEST(SyntheticVocab, HasExactlyTheAskedSizeUniqueTokensAndSmollmLayout) {
  for (size_t n : {size_t{512}, size_t{1000}, size_t{49152}}) {
    const Vocab v = make_synthetic_vocab(n);
    EXPECT_EQ(v.tokens.size(), n);
    EXPECT_EQ(v.types.size(), n);
    EXPECT_EQ(std::set<std::string>(v.tokens.begin(), v.tokens.end()).size(), n);
    EXPECT_EQ(v.bos, 1);
    EXPECT_EQ(v.eos, 2);
    EXPECT_EQ(v.tokens[0], "<|endoftext|>");
    EXPECT_EQ(v.pre, "smollm");
    EXPECT_NO_THROW(Tokenizer{v});
  }
  const Vocab big = make_synthetic_vocab(49152);
  EXPECT_GE(big.merges.size(), 250u);
  EXPECT_LE(big.merges.size(), 400u);
  EXPECT_EQ(big.types.back(), static_cast<int32_t>(TokenType::unused));
  // The small vocabulary learns a prefix of the same merges.
  const Vocab small = make_synthetic_vocab(512);
  ASSERT_LE(small.merges.size(), big.merges.size());
  EXPECT_TRUE(std::equal(small.merges.begin(), small.merges.end(), big.merges.begin()));
  EXPECT_THROW(make_synthetic_vocab(511), std::invalid_argument);
}

TEST(Tokenizer, RejectsAMergeNamingAnUnknownToken) {
  Vocab v = make_synthetic_vocab(512);
  v.merges.push_back("Ġthe zzzq");
  try {
    Tokenizer tok(v);
    FAIL() << "accepted a merge naming an unknown token";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown token 'zzzq'"), std::string::npos) << e.what();
  }
}

TEST(Tokenizer, RejectsMalformedVocabularies) {
  const Vocab good = make_synthetic_vocab(512);
  Vocab dup = good;
  dup.tokens[500] = dup.tokens[400];
  EXPECT_THROW(Tokenizer{dup}, std::runtime_error);
  Vocab no_space = good;
  no_space.merges.push_back("ab");
  EXPECT_THROW(Tokenizer{no_space}, std::runtime_error);
  Vocab types = good;
  types.types.pop_back();
  EXPECT_THROW(Tokenizer{types}, std::runtime_error);
  Vocab bos = good;
  bos.bos = 512;
  EXPECT_THROW(Tokenizer{bos}, std::runtime_error);
  Vocab pre = good;
  pre.pre = "qwen9";
  EXPECT_THROW(Tokenizer{pre}, std::runtime_error);
  Vocab not_bytes = good;
  not_bytes.tokens[300] = "中";
  EXPECT_THROW(Tokenizer{not_bytes}, std::runtime_error);
}

TEST(Tokenizer, LongRunsStayFast) {
  // 200k spaces are one piece: BPE on it must not be quadratic.
  const std::string spaces(200000, ' ');
  const std::vector<int32_t> ids = synthetic().encode(spaces);
  EXPECT_EQ(synthetic().decode(ids), spaces);
}

}  // namespace
}  // namespace swapbench
