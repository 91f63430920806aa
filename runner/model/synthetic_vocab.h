// A small, real byte-level BPE vocabulary for generated models, learned from a built-in paragraph.
#pragma once

#include <cstddef>

#include "runner/model/tokenizer.h"

namespace swapbench {

// Exactly vocab_size tokens (>= 512, else std::invalid_argument), laid out like SmolLM2's:
//   0 "<|endoftext|>", 1 "<|im_start|>" (bos), 2 "<|im_end|>" (eos), all control;
//   3..258 the 256 single-byte tokens in byte order (type normal, as GPT-2 GGUFs store them);
//   then up to 400 merges learned by BPE training on a built-in English paragraph pre-tokenized
//   like SmolLM2 (pre = "smollm"), each adding its merged token; fewer when vocab_size leaves no
//   room, the same first ones always;
//   the rest "<|unused_N|>" of type unused.
// Deterministic: the same vocab_size gives the same vocabulary on every machine. With every byte
// a token, the Tokenizer round-trips any text.
Vocab make_synthetic_vocab(size_t vocab_size);

}  // namespace swapbench
