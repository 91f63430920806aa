// The synthetic vocabulary: SmolLM2-like special tokens, byte tokens, merges from a paragraph.
#include "runner/model/synthetic_vocab.h"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <tuple>
#include <unordered_map>
#include <utility>

namespace swapbench {
namespace {

// Training text: plain English with some digits, code and punctuation, so the merges cover what
// prompts of tests and benchmarks look like. Changing it changes every generated model's vocab.
constexpr std::string_view kParagraph =
    "The capital of France is Paris. The capital of Italy is Rome, and the capital of Spain is "
    "Madrid. When a model decodes one token at a time, every step reads all of the weights from "
    "memory, so the speed of the decode is set by the bandwidth of the memory and not by the "
    "number of operations. This is why the kernels that read the weights matter the most: the "
    "matrix vector products, the attention over the cache, and the norms between the layers. "
    "Each of these kernels has several versions, and the best one depends on the shape of the "
    "model and on the device that runs it. A benchmark that wants to be trusted must check that "
    "the output of every version is the same as the output of the reference, and it must time "
    "the same work in the same state, again and again, until the numbers are stable. In 2024 "
    "there were models with 135 million parameters that could still answer simple questions, "
    "and models with 8 billion parameters that could write code such as for (int i = 0; i < 10; "
    "++i) { sum += x[i] * w[i]; } without a mistake. The people who write these engines want to "
    "know, every night and for every change, whether the time of a step went up or down, by how "
    "much, and whether the difference is real or only the noise of a busy machine. They want the "
    "answer to be written down with the date, the device, the command and the numbers, so that "
    "anyone can run it again and see the same thing. Hello world! Don't stop: it's the end.";

constexpr size_t kSpecials = 3;
constexpr size_t kMaxMerges = 400;

using Pair = std::pair<std::string, std::string>;

struct PairHash {
  size_t operator()(const Pair& p) const {
    return std::hash<std::string>()(p.first) * 31 + std::hash<std::string>()(p.second);
  }
};

// Classic BPE training over the distinct pre-tokenized words of the paragraph: merge the most
// frequent adjacent pair (ties: the lexicographically smallest), until max_merges or every word
// is one token; late merges (pairs seen once) learn whole words, as real vocabularies have. Appends
// each merge to v.merges and each new merged text to v.tokens.
void learn_merges(Vocab& v, size_t max_merges) {
  std::map<std::string, int> word_counts;  // ordered: the training must not depend on hashing
  for (std::string_view piece : pretokenize(kParagraph, PreTokenizer::smollm))
    ++word_counts[bytes_to_unicode(piece)];

  std::vector<std::pair<std::vector<std::string>, int>> words;
  for (const auto& [word, count] : word_counts) {
    std::vector<std::string> symbols;
    for (size_t i = 0; i < word.size();) {  // byte-level text: one or two UTF-8 bytes a symbol
      const size_t len = (static_cast<unsigned char>(word[i]) & 0x80) ? 2 : 1;
      symbols.push_back(word.substr(i, len));
      i += len;
    }
    words.emplace_back(std::move(symbols), count);
  }

  std::unordered_map<std::string, bool> known(v.tokens.size() * 2);
  for (const std::string& t : v.tokens) known[t] = true;

  while (v.merges.size() < max_merges) {
    std::unordered_map<Pair, int, PairHash> pair_counts;
    for (const auto& [symbols, count] : words)
      for (size_t i = 0; i + 1 < symbols.size(); ++i)
        pair_counts[{symbols[i], symbols[i + 1]}] += count;
    const Pair* best = nullptr;
    int best_count = 0;
    for (const auto& [pair, count] : pair_counts)
      if (count > best_count || (count == best_count && best != nullptr && pair < *best))
        best = &pair, best_count = count;
    if (best == nullptr) break;

    const Pair merge = *best;
    const std::string joined = merge.first + merge.second;
    v.merges.push_back(merge.first + " " + merge.second);
    if (!known[joined]) {
      known[joined] = true;
      v.tokens.push_back(joined);
      v.types.push_back(static_cast<int32_t>(TokenType::normal));
    }
    for (auto& [symbols, count] : words) {
      std::vector<std::string> next;
      next.reserve(symbols.size());
      for (size_t i = 0; i < symbols.size(); ++i) {
        if (i + 1 < symbols.size() && symbols[i] == merge.first && symbols[i + 1] == merge.second) {
          next.push_back(joined);
          ++i;
        } else {
          next.push_back(std::move(symbols[i]));
        }
      }
      symbols = std::move(next);
    }
  }
}

}  // namespace

Vocab make_synthetic_vocab(size_t vocab_size) {
  if (vocab_size < 512)
    throw std::invalid_argument("make_synthetic_vocab: vocab_size " + std::to_string(vocab_size) +
                                " < 512");
  Vocab v;
  v.pre = "smollm";
  v.tokens = {"<|endoftext|>", "<|im_start|>", "<|im_end|>"};
  v.types.assign(kSpecials, static_cast<int32_t>(TokenType::control));
  v.bos = 1;
  v.eos = 2;
  for (int b = 0; b < 256; ++b) {
    v.tokens.push_back(bytes_to_unicode(std::string(1, static_cast<char>(b))));
    v.types.push_back(static_cast<int32_t>(TokenType::normal));
  }
  // Each merge adds at most one token, so this many merges always fit.
  learn_merges(v, std::min(kMaxMerges, vocab_size - v.tokens.size()));
  for (size_t n = 0; v.tokens.size() < vocab_size; ++n) {
    v.tokens.push_back("<|unused_" + std::to_string(n) + "|>");
    v.types.push_back(static_cast<int32_t>(TokenType::unused));
  }
  return v;
}

}  // namespace swapbench
