// Greedy generation loop over an engine.
#include "runner/decode.h"

#include <chrono>
#include <stdexcept>

namespace swapbench {

DecodeResult greedy_decode(Engine& engine, const Tokenizer& tok, const std::string& prompt,
                           const DecodeOptions& o) {
  using clock = std::chrono::steady_clock;
  DecodeResult r;
  r.prompt_ids = tok.encode(prompt);
  if (r.prompt_ids.empty()) r.prompt_ids.push_back(tok.bos() >= 0 ? tok.bos() : tok.eos());
  const int64_t total = int64_t(r.prompt_ids.size()) + o.n_tokens;
  if (total > engine.max_ctx())
    throw std::runtime_error("prompt (" + std::to_string(r.prompt_ids.size()) + " tokens) + " +
                             std::to_string(o.n_tokens) + " new tokens exceed the KV cache (" +
                             std::to_string(engine.max_ctx()) + " positions)");
  // step() returns the token id on the host, so the host clock is read after the work ended.
  auto t0 = clock::now();
  int32_t next = 0;
  int32_t pos = 0;
  for (int32_t id : r.prompt_ids) next = engine.step(id, pos++);
  auto t1 = clock::now();
  r.prompt_seconds = std::chrono::duration<double>(t1 - t0).count();
  if (o.keep_logits) {
    for (int32_t i = 0; i < o.n_tokens; ++i) {
      r.ids.push_back(next);
      r.logits.emplace_back();
      engine.logits(r.logits.back());
      if (o.stop_at_eos && next == tok.eos()) break;
      if (i + 1 < o.n_tokens) {
        next = engine.step(next, pos++);
        ++r.decode_steps;
      }
    }
  } else {
    // Chained: the engine feeds each token to the next step itself (no host round trip on the
    // GPU); tokens after an end-of-sequence are dropped afterwards.
    r.ids.push_back(next);
    if (o.n_tokens > 1 && !(o.stop_at_eos && next == tok.eos())) {
      const std::vector<int32_t> more = engine.step_chain(next, pos, o.n_tokens - 1);
      r.decode_steps = int32_t(more.size());
      r.ids.insert(r.ids.end(), more.begin(), more.end());
    }
    if (o.stop_at_eos)
      for (size_t i = 0; i < r.ids.size(); ++i)
        if (r.ids[i] == tok.eos()) {
          r.ids.resize(i + 1);
          break;
        }
  }
  r.decode_seconds = std::chrono::duration<double>(clock::now() - t1).count();
  r.text = tok.decode(r.ids);
  return r;
}

}  // namespace swapbench
