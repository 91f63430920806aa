// Reads a Tokenizer's Vocab from a GGUF file's tokenizer.ggml.* metadata.
#pragma once

#include "runner/model/gguf.h"
#include "runner/model/tokenizer.h"

namespace swapbench {

// Requires tokenizer.ggml.model == "gpt2" (byte-level BPE) and tokenizer.ggml.tokens; token_type,
// merges, bos/eos ids and pre are optional (all normal, none, -1, "default"). Throws gguf::Error
// or std::runtime_error naming the file.
Vocab vocab_from_gguf(const gguf::File& file);

}  // namespace swapbench
