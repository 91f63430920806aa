// Byte-level BPE pre-tokenization: the GPT-2 / SmolLM / llama-3 splitting patterns, by hand.
#include "runner/model/pretokenize.h"

#include <array>
#include <stdexcept>

namespace swapbench {
namespace {

// One code point of the input: where its bytes are, and what the patterns see in it.
struct Unit {
  size_t offset;
  uint32_t len;
  char32_t cp;
  CharClass cls;
};

// Length, payload mask and smallest code point of a UTF-8 sequence, by its lead byte; length 1
// for ASCII and for bytes that cannot lead a sequence.
struct Lead {
  uint32_t len;
  char32_t mask;
  char32_t min;
};
constexpr Lead lead_of(unsigned char b) {
  if (b < 0xC0) return {1, 0x7F, 0};
  if (b < 0xE0) return {2, 0x1F, 0x80};
  if (b < 0xF0) return {3, 0x0F, 0x800};
  if (b < 0xF8) return {4, 0x07, 0x10000};
  return {1, 0x7F, 0};
}

// Decodes UTF-8 leniently: a byte that does not start a well-formed sequence (overlong,
// surrogate, beyond U+10FFFF, truncated) becomes one unit of class `other`, so that any byte
// string splits into pieces that concatenate back to it.
std::vector<Unit> decode_units(std::string_view s) {
  std::vector<Unit> units;
  units.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    const Lead lead = lead_of(b0);
    uint32_t len = lead.len;
    char32_t cp = b0 & lead.mask;
    bool ok = b0 < 0x80 || (len > 1 && i + len <= s.size());
    for (uint32_t k = 1; ok && k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      ok = (b & 0xC0u) == 0x80u;
      cp = (cp << 6) | (b & 0x3Fu);
    }
    ok = ok && cp >= lead.min && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
    if (!ok) {
      len = 1;
      cp = b0;
    }
    const CharClass cls = ok ? char_class(cp) : CharClass::other;
    units.push_back({i, len, cp, cls});
    i += len;
  }
  return units;
}

// Splits units [begin, end) by one pattern; the range end acts as end of text for lookaheads,
// as when llama.cpp and HF tokenizers apply a pattern to each piece of an earlier split.
class Splitter {
 public:
  Splitter(std::string_view text, const std::vector<Unit>& u, std::vector<std::string_view>& out)
      : text_(text), u_(u), out_(out) {}

  void gpt2(size_t begin, size_t end) {
    end_ = end;
    size_t pos = begin;
    while (pos < end) {
      const size_t start = pos;
      // 's|'t|'re|'ve|'m|'ll|'d
      if (cp(pos) == U'\'') {
        const char32_t c1 = cp(pos + 1), c2 = cp(pos + 2);
        if (c1 == U's' || c1 == U't' || c1 == U'm' || c1 == U'd') {
          emit(start, pos + 2);
          pos += 2;
          continue;
        }
        if ((c1 == U'r' && c2 == U'e') || (c1 == U'v' && c2 == U'e') ||
            (c1 == U'l' && c2 == U'l')) {
          emit(start, pos + 3);
          pos += 3;
          continue;
        }
      }
      // ' ?\p{L}+', ' ?\p{N}+', ' ?[^\s\p{L}\p{N}]+': one run of the class after an optional space
      const size_t skip = (cp(pos) == U' ' && pos + 1 < end) ? 1 : 0;
      const CharClass run = u_[pos + skip].cls;
      if (run != CharClass::space) {
        pos += skip;
        while (pos < end && u_[pos].cls == run) ++pos;
        emit(start, pos);
        continue;
      }
      pos = whitespace(pos);
      emit(start, pos);
    }
  }

  // (?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|
  // \p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
  void llama3(size_t begin, size_t end) {
    end_ = end;
    size_t pos = begin;
    while (pos < end) {
      const size_t start = pos;
      const char32_t c = cp(pos);
      if (c == U'\'') {
        const char32_t c1 = lower(cp(pos + 1)), c2 = lower(cp(pos + 2));
        const size_t n = (c1 == U's' || c1 == U't' || c1 == U'm' || c1 == U'd') ? 2
                         : ((c1 == U'r' && c2 == U'e') || (c1 == U'v' && c2 == U'e') ||
                            (c1 == U'l' && c2 == U'l'))
                             ? 3
                             : 0;
        if (n != 0) {
          pos += n;
          emit(start, pos);
          continue;
        }
      }
      const CharClass cls = u_[pos].cls;
      if (c != U'\r' && c != U'\n' && cls != CharClass::number &&
          (cls == CharClass::letter || cls_at(pos + 1) == CharClass::letter)) {
        ++pos;
        while (pos < end && u_[pos].cls == CharClass::letter) ++pos;
        emit(start, pos);
        continue;
      }
      if (cls == CharClass::number) {
        while (pos < end && pos - start < 3 && u_[pos].cls == CharClass::number) ++pos;
        emit(start, pos);
        continue;
      }
      const size_t skip = (c == U' ' && pos + 1 < end) ? 1 : 0;
      if (u_[pos + skip].cls == CharClass::other) {
        pos += skip;
        while (pos < end && u_[pos].cls == CharClass::other) ++pos;
        while (cp(pos) == U'\r' || cp(pos) == U'\n') ++pos;
        emit(start, pos);
        continue;
      }
      // \s*[\r\n]+ : the whitespace run up to its last \r or \n, when it has one
      size_t last_newline_end = 0;
      for (size_t k = pos; k < end && u_[k].cls == CharClass::space; ++k)
        if (u_[k].cp == U'\r' || u_[k].cp == U'\n') last_newline_end = k + 1;
      pos = last_newline_end != 0 ? last_newline_end : whitespace(pos);
      emit(start, pos);
    }
  }

 private:
  // \s+(?!\S)|\s+ from a whitespace unit: the whole run at the end of the range, else all but
  // its last unit (which then leads the next piece), else the single unit. Returns the end.
  size_t whitespace(size_t pos) const {
    size_t n = 0;
    while (pos + n < end_ && u_[pos + n].cls == CharClass::space) ++n;
    if (pos + n == end_ || n == 1) return pos + n;
    return pos + n - 1;
  }

  char32_t cp(size_t i) const { return i < end_ ? u_[i].cp : char32_t{0xFFFFFFFF}; }
  CharClass cls_at(size_t i) const { return i < end_ ? u_[i].cls : CharClass::space; }
  static char32_t lower(char32_t c) { return c >= U'A' && c <= U'Z' ? c + 32 : c; }

  void emit(size_t b, size_t e) {
    const size_t from = u_[b].offset;
    const size_t to = e < u_.size() ? u_[e].offset : text_.size();
    out_.push_back(text_.substr(from, to - from));
  }

  std::string_view text_;
  const std::vector<Unit>& u_;
  std::vector<std::string_view>& out_;
  size_t end_ = 0;
};

// The byte each code point U+0000..U+0143 stands for, or -1; built like GPT-2's bytes_to_unicode.
struct ByteMaps {
  std::array<char32_t, 256> to_cp{};
  std::array<int16_t, 0x144> to_byte{};
  ByteMaps() {
    to_byte.fill(-1);
    char32_t next = 0x100;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
      const char32_t c = printable ? static_cast<char32_t>(b) : next++;
      to_cp[b] = c;
      to_byte[c] = static_cast<int16_t>(b);
    }
  }
};

const ByteMaps& byte_maps() {
  static const ByteMaps maps;
  return maps;
}

}  // namespace

PreTokenizer pre_tokenizer_from_name(std::string_view name) {
  if (name == "gpt2" || name == "default") return PreTokenizer::gpt2;
  if (name == "smollm") return PreTokenizer::smollm;
  if (name == "llama-bpe" || name == "llama3") return PreTokenizer::llama_bpe;
  throw std::runtime_error("unsupported pre-tokenizer '" + std::string(name) +
                           "' (known: smollm, llama-bpe, gpt2, default)");
}

bool is_unicode_space(char32_t cp) {
  if (cp < 0x80) return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20;
  return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
         cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

std::vector<std::string_view> pretokenize(std::string_view text, PreTokenizer kind) {
  std::vector<std::string_view> out;
  if (text.empty()) return out;
  const std::vector<Unit> units = decode_units(text);
  Splitter split(text, units, out);
  switch (kind) {
    case PreTokenizer::gpt2:
      split.gpt2(0, units.size());
      break;
    case PreTokenizer::llama_bpe:
      split.llama3(0, units.size());
      break;
    case PreTokenizer::smollm: {
      // \p{N} first: each number code point is a piece; the GPT-2 pattern splits the rest.
      size_t begin = 0;
      for (size_t i = 0; i < units.size(); ++i) {
        if (units[i].cls != CharClass::number) continue;
        if (begin < i) split.gpt2(begin, i);
        split.gpt2(i, i + 1);
        begin = i + 1;
      }
      if (begin < units.size()) split.gpt2(begin, units.size());
      break;
    }
  }
  return out;
}

std::string bytes_to_unicode(std::string_view bytes) {
  const ByteMaps& m = byte_maps();
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char ch : bytes) {
    const char32_t c = m.to_cp[static_cast<unsigned char>(ch)];
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else {  // every mapped code point is below U+0800: two UTF-8 bytes
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

std::optional<std::string> unicode_to_bytes(std::string_view text) {
  const ByteMaps& m = byte_maps();
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    char32_t c;
    if (b0 < 0x80) {
      c = b0;
      i += 1;
    } else if ((b0 & 0xE0) == 0xC0 && i + 1 < text.size() &&
               (static_cast<unsigned char>(text[i + 1]) & 0xC0) == 0x80) {
      c = (char32_t{b0 & 0x1Fu} << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3Fu);
      i += 2;
    } else {
      return std::nullopt;  // three- and four-byte sequences are never images of a byte
    }
    if (c >= m.to_byte.size() || m.to_byte[c] < 0) return std::nullopt;
    out.push_back(static_cast<char>(m.to_byte[c]));
  }
  return out;
}

}  // namespace swapbench
