// The model generator: llama-architecture GGUF files with random weights of a named shape.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kernels/common/dtype.h"

namespace swapbench {

// A named model shape, exactly that of the real model it is named after.
struct ModelShape {
  std::string name;  // "smollm2-135m"
  int32_t n_layers, dim, n_heads, n_kv_heads, ffn_dim, vocab, context;
  float rope_base;
  bool tied_output;
};

const std::vector<ModelShape>& model_shapes();  // tiny, smollm2-135m, llama-1b, llama-8b
std::optional<ModelShape> find_model_shape(const std::string& name);

struct GenOptions {
  std::string shape = "tiny";
  DType quant = DType::q4_1;  // type of the layer matrices
  uint64_t seed = 1;
  int threads = 0;            // 0: all hardware threads
};

// Writes the model to `path`, streaming: memory use stays a few chunks of rows, whatever the
// size. Weights are uniform with variance 1/cols so activations keep unit scale; norms are
// 1 +- 0.1; the embedding (and an untied output) uses q8_0 when the layers use a 4-bit type,
// as real 4-bit files do. Deterministic in (shape, quant, seed), independent of `threads`.
// Returns the bytes written.
uint64_t generate_model(const std::string& path, const GenOptions& options);

}  // namespace swapbench
