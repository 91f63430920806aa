// Byte-level BPE tokenizer: vocabulary validation, special-token matching, merges, decoding.
#include "runner/model/tokenizer.h"

#include <algorithm>
#include <limits>
#include <queue>
#include <stdexcept>
#include <utility>

namespace swapbench {
namespace {

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error("tokenizer: " + what); }

bool is_literal(TokenType t) { return t == TokenType::control || t == TokenType::user_defined; }

}  // namespace

Tokenizer::Tokenizer(Vocab v) : vocab_(std::move(v)), pre_(pre_tokenizer_from_name(vocab_.pre)) {
  const size_t n = vocab_.tokens.size();
  if (n == 0) fail("vocabulary has no tokens");
  if (n > static_cast<size_t>(std::numeric_limits<int32_t>::max())) fail("too many tokens");
  if (vocab_.types.empty()) vocab_.types.assign(n, static_cast<int32_t>(TokenType::normal));
  if (vocab_.types.size() != n)
    fail(std::to_string(vocab_.types.size()) + " token types for " + std::to_string(n) + " tokens");
  for (const auto& [name, id] : {std::pair{"bos", vocab_.bos}, std::pair{"eos", vocab_.eos}})
    if (id < -1 || id >= static_cast<int32_t>(n))
      fail(std::string(name) + " id " + std::to_string(id) + " outside the vocabulary of " +
           std::to_string(n));

  std::unordered_map<std::string_view, int32_t> ids;
  ids.reserve(n);
  bytes_.resize(n);
  byte_token_.fill(-1);
  for (int32_t id = 0; id < static_cast<int32_t>(n); ++id) {
    const std::string& text = vocab_.tokens[id];
    const int32_t t = vocab_.types[id];
    if (t < 1 || t > 6)
      fail("token " + std::to_string(id) + " has type " + std::to_string(t) + " (known: 1..6)");
    if (auto [it, fresh] = ids.emplace(text, id); !fresh)
      fail("token text '" + text + "' appears twice (ids " + std::to_string(it->second) + " and " +
           std::to_string(id) + ")");
    const auto type = static_cast<TokenType>(t);
    if (is_literal(type)) {
      bytes_[id] = text;  // control and user-defined tokens are plain text, not byte-level
      if (!text.empty()) specials_.push_back(id);
      continue;
    }
    std::optional<std::string> raw = unicode_to_bytes(text);
    if (!raw && (type == TokenType::normal || type == TokenType::byte))
      fail("token " + std::to_string(id) + " '" + text + "' is not byte-level text");
    bytes_[id] = raw ? std::move(*raw) : text;
    if (raw && bytes_[id].size() == 1) {
      int32_t& slot = byte_token_[static_cast<unsigned char>(bytes_[id][0])];
      if (slot < 0) slot = id;
    }
  }

  merges_.reserve(vocab_.merges.size());
  for (size_t rank = 0; rank < vocab_.merges.size(); ++rank) {
    const std::string& m = vocab_.merges[rank];
    // From 1, as llama.cpp does: the left part is never empty, so the first space after it splits.
    const size_t space = m.find(' ', 1);
    if (space == std::string::npos)
      fail("merge " + std::to_string(rank) + " '" + m + "' is not two tokens and a space");
    const std::string_view left = std::string_view(m).substr(0, space);
    const std::string_view right = std::string_view(m).substr(space + 1);
    const std::string joined = std::string(left) + std::string(right);
    int32_t found[3];
    const std::string_view parts[3] = {left, right, joined};
    for (int k = 0; k < 3; ++k) {
      auto it = ids.find(parts[k]);
      if (it == ids.end())
        fail("merge " + std::to_string(rank) + " '" + m + "' names unknown token '" +
             std::string(parts[k]) + "'");
      found[k] = it->second;
    }
    // A pair listed twice keeps its first (higher-priority) rank, as llama.cpp does.
    merges_.emplace(pair_key(found[0], found[1]), Merge{static_cast<int32_t>(rank), found[2]});
  }

  std::sort(specials_.begin(), specials_.end(), [&](int32_t a, int32_t b) {
    const size_t la = vocab_.tokens[a].size(), lb = vocab_.tokens[b].size();
    return la != lb ? la > lb : a < b;
  });
  for (int32_t id : specials_)
    special_first_byte_[static_cast<unsigned char>(vocab_.tokens[id][0])] = true;
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool add_bos) const {
  std::vector<int32_t> out;
  if (add_bos) {
    if (vocab_.bos < 0) fail("add_bos asked but the vocabulary has no bos token");
    out.push_back(vocab_.bos);
  }
  auto encode_fragment = [&](std::string_view fragment) {
    for (std::string_view piece : pretokenize(fragment, pre_)) encode_piece(piece, out);
  };
  size_t fragment_begin = 0;
  size_t i = 0;
  while (i < text.size()) {
    int32_t special = -1;
    if (special_first_byte_[static_cast<unsigned char>(text[i])]) {
      for (int32_t id : specials_) {
        if (text.substr(i).starts_with(vocab_.tokens[id])) {
          special = id;
          break;
        }
      }
    }
    if (special < 0) {
      ++i;
      continue;
    }
    encode_fragment(text.substr(fragment_begin, i - fragment_begin));
    out.push_back(special);
    i += vocab_.tokens[special].size();
    fragment_begin = i;
  }
  encode_fragment(text.substr(fragment_begin));
  return out;
}

// BPE on one piece: start from its byte tokens, repeatedly merge the adjacent pair of lowest
// rank (leftmost on ties). A heap of candidate pairs with a lazy staleness check makes this
// O(n log n) in the piece length; long whitespace or punctuation runs stay cheap.
void Tokenizer::encode_piece(std::string_view piece, std::vector<int32_t>& out) const {
  if (piece.size() == 1) {
    const int32_t id = byte_token_[static_cast<unsigned char>(piece[0])];
    if (id >= 0) out.push_back(id);
    return;
  }
  struct Symbol {
    int32_t id;  // -1: a byte without a token (never merges, then dropped)
    int32_t prev, next;
    bool alive;
  };
  struct Candidate {
    int32_t rank, left, left_id, right_id;
    bool operator>(const Candidate& o) const {
      return rank != o.rank ? rank > o.rank : left > o.left;
    }
  };
  const auto n = static_cast<int32_t>(piece.size());
  std::vector<Symbol> sym(static_cast<size_t>(n));
  for (int32_t k = 0; k < n; ++k)
    sym[k] = {byte_token_[static_cast<unsigned char>(piece[k])], k - 1, k + 1 < n ? k + 1 : -1,
              true};

  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> heap;
  auto consider = [&](int32_t left) {
    const int32_t right = sym[left].next;
    if (right < 0 || sym[left].id < 0 || sym[right].id < 0) return;
    auto it = merges_.find(pair_key(sym[left].id, sym[right].id));
    if (it != merges_.end()) heap.push({it->second.rank, left, sym[left].id, sym[right].id});
  };
  for (int32_t k = 0; k + 1 < n; ++k) consider(k);

  while (!heap.empty()) {
    const Candidate c = heap.top();
    heap.pop();
    Symbol& left = sym[c.left];
    // Stale when either side merged since: ids only grow into longer tokens, so equal ids at
    // both ends mean the pair is still there.
    if (!left.alive || left.id != c.left_id || left.next < 0) continue;
    Symbol& right = sym[left.next];
    if (right.id != c.right_id) continue;
    left.id = merges_.at(pair_key(c.left_id, c.right_id)).result;
    right.alive = false;
    left.next = right.next;
    if (right.next >= 0) sym[right.next].prev = c.left;
    if (left.prev >= 0) consider(left.prev);
    consider(c.left);
  }
  for (int32_t k = 0; k >= 0; k = sym[k].next)
    if (sym[k].id >= 0) out.push_back(sym[k].id);
}

std::string Tokenizer::decode(std::span<const int32_t> ids, bool render_special) const {
  std::string out;
  for (int32_t id : ids) {
    check_id(id);
    const auto t = static_cast<TokenType>(vocab_.types[id]);
    if (!render_special && (t == TokenType::control || t == TokenType::unused)) continue;
    out += bytes_[id];
  }
  return out;
}

std::string Tokenizer::token_text(int32_t id) const {
  check_id(id);
  return bytes_[id];
}

TokenType Tokenizer::type(int32_t id) const {
  check_id(id);
  return static_cast<TokenType>(vocab_.types[id]);
}

void Tokenizer::check_id(int32_t id) const {
  if (id < 0 || static_cast<size_t>(id) >= vocab_.tokens.size())
    fail("token id " + std::to_string(id) + " outside the vocabulary of " +
         std::to_string(vocab_.tokens.size()));
}

}  // namespace swapbench
