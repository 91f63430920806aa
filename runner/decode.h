// Greedy text generation on an engine: the prompt one token per step, then n new tokens.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runner/engine/engine.h"
#include "runner/model/tokenizer.h"

namespace swapbench {

struct DecodeOptions {
  int32_t n_tokens = 32;
  bool stop_at_eos = true;
  bool keep_logits = false;  // keep every generated step's logits (tests, equality)
};

struct DecodeResult {
  std::vector<int32_t> prompt_ids;
  std::vector<int32_t> ids;  // generated tokens
  std::string text;          // decoded generated tokens
  std::vector<std::vector<float>> logits;  // per generated token, when asked
  double prompt_seconds = 0;
  double decode_seconds = 0;
  int32_t decode_steps = 0;  // steps after the prompt (the first new token comes from the prompt)
  double tokens_per_second() const {
    return decode_seconds > 0 ? double(decode_steps) / decode_seconds : 0.0;
  }
};

// The prompt is processed one token per step (a simple prefill: the same step as decode).
// An empty prompt starts from the BOS token (or EOS where there is no BOS).
DecodeResult greedy_decode(Engine& engine, const Tokenizer& tok, const std::string& prompt,
                           const DecodeOptions& options);

}  // namespace swapbench
