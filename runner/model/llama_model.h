// A llama-architecture model loaded from GGUF: hyperparameters, weight tensors, tokenizer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kernels/common/dtype.h"
#include "runner/model/gguf.h"
#include "runner/model/tokenizer.h"

namespace swapbench {

struct LlamaConfig {
  int32_t n_layers = 0;
  int32_t dim = 0;       // embedding length
  int32_t n_heads = 0;
  int32_t n_kv_heads = 0;
  int32_t head_dim = 0;  // dim / n_heads
  int32_t rot_dim = 0;   // llama.rope.dimension_count, or head_dim
  int32_t ffn_dim = 0;
  int32_t vocab = 0;
  int32_t context = 0;   // llama.context_length
  float eps = 1e-5f;
  float rope_base = 10000.0f;
  bool tied_output = false;  // output projection is the embedding table
};

// A weight tensor as a matrix of `rows` GGUF rows of `cols` elements, in the mapped file.
struct TensorRef {
  std::string name;
  const uint8_t* data = nullptr;
  DType type = DType::f32;
  int64_t rows = 0;
  int64_t cols = 0;
  uint64_t bytes = 0;
};

struct LayerTensors {
  std::vector<float> attn_norm, ffn_norm;  // norms converted to f32 at load
  TensorRef wq, wk, wv, wo, w_gate, w_up, w_down;
};

class LlamaModel {
 public:
  // Opens and validates a llama GGUF: architecture, every tensor present with the right
  // shape, every type one we decode. Throws gguf::Error with a one-line message naming the
  // file and, for a tensor problem, the tensor and its type id.
  static std::unique_ptr<LlamaModel> load(const std::string& path);

  const gguf::File& file() const { return file_; }
  const LlamaConfig& config() const { return cfg_; }
  const TensorRef& token_embd() const { return embd_; }
  const TensorRef& output() const { return output_; }  // token_embd when tied
  const std::vector<float>& output_norm() const { return out_norm_; }
  const std::vector<LayerTensors>& layers() const { return layers_; }
  const Tokenizer& tokenizer() const { return *tokenizer_; }

  // Weight bytes read by one decode step: every matrix once, one embedding row, the norms.
  uint64_t weight_bytes_per_token() const;
  std::string describe() const;  // "llama 30x576 h9/3 ffn1536 vocab49152 q4_1"

 private:
  explicit LlamaModel(gguf::File f);
  gguf::File file_;
  LlamaConfig cfg_;
  TensorRef embd_, output_;
  std::vector<float> out_norm_;
  std::vector<LayerTensors> layers_;
  std::unique_ptr<Tokenizer> tokenizer_;
};

}  // namespace swapbench
