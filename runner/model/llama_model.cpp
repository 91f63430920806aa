// Loading and validating a llama GGUF.
#include "runner/model/llama_model.h"

#include <sstream>

#include "kernels/common/quant_cpu.h"
#include "runner/model/tokenizer_gguf.h"

namespace swapbench {
namespace {

[[noreturn]] void fail(const gguf::File& f, const std::string& what) {
  throw gguf::Error(f.path() + ": " + what);
}

int32_t get_i32(const gguf::File& f, const std::string& key) {
  const uint64_t v = f.get_uint(key);
  if (v == 0 || v > (1u << 30)) fail(f, "implausible value " + std::to_string(v) + " for " + key);
  return static_cast<int32_t>(v);
}

TensorRef matrix(const gguf::File& f, const std::string& name, int64_t cols, int64_t rows) {
  const gguf::TensorInfo* t = f.find_tensor(name);
  if (!t) fail(f, "missing tensor '" + name + "'");
  if (!info(t->type).decodable)
    fail(f, "tensor '" + name + "' has type " + std::string(info(t->type).name) + " (id " +
                std::to_string(static_cast<uint32_t>(t->type)) + "), which swapbench cannot decode");
  if (t->dims.size() != 2 || int64_t(t->dims[0]) != cols || int64_t(t->dims[1]) != rows)
    fail(f, "tensor '" + name + "' should be " + std::to_string(cols) + "x" +
                std::to_string(rows));
  return {name, f.tensor_data(*t), t->type, rows, cols, t->n_bytes()};
}

std::vector<float> vector_f32(const gguf::File& f, const std::string& name, int64_t n) {
  const gguf::TensorInfo* t = f.find_tensor(name);
  if (!t) fail(f, "missing tensor '" + name + "'");
  if (t->n_elements() != uint64_t(n)) fail(f, "tensor '" + name + "' should have " +
                                                  std::to_string(n) + " elements");
  if (!info(t->type).decodable || info(t->type).block_size != 1)
    fail(f, "norm tensor '" + name + "' has type id " +
                std::to_string(static_cast<uint32_t>(t->type)) + "; expected f32, f16 or bf16");
  std::vector<float> out(static_cast<size_t>(n));
  dequantize_row(t->type, f.tensor_data(*t), out.data(), n);
  return out;
}

}  // namespace

LlamaModel::LlamaModel(gguf::File f) : file_(std::move(f)) {}

std::unique_ptr<LlamaModel> LlamaModel::load(const std::string& path) {
  std::unique_ptr<LlamaModel> m(new LlamaModel(gguf::File::open(path)));
  const gguf::File& f = m->file_;
  const std::string arch = f.get_string("general.architecture");
  if (arch != "llama") fail(f, "architecture '" + arch + "' is not supported (only llama)");
  LlamaConfig& c = m->cfg_;
  c.n_layers = get_i32(f, "llama.block_count");
  c.dim = get_i32(f, "llama.embedding_length");
  c.n_heads = get_i32(f, "llama.attention.head_count");
  c.n_kv_heads = f.find("llama.attention.head_count_kv")
                     ? get_i32(f, "llama.attention.head_count_kv") : c.n_heads;
  c.ffn_dim = get_i32(f, "llama.feed_forward_length");
  c.context = get_i32(f, "llama.context_length");
  if (c.dim % c.n_heads != 0 || c.n_heads % c.n_kv_heads != 0)
    fail(f, "heads do not divide the embedding (dim " + std::to_string(c.dim) + ", heads " +
                std::to_string(c.n_heads) + "/" + std::to_string(c.n_kv_heads) + ")");
  c.head_dim = c.dim / c.n_heads;
  if (c.head_dim % 2 != 0 || c.head_dim > 256) fail(f, "head dimension must be even and <= 256");
  c.rot_dim = f.find("llama.rope.dimension_count") ? get_i32(f, "llama.rope.dimension_count")
                                                   : c.head_dim;
  if (c.rot_dim > c.head_dim) fail(f, "rope dimension exceeds the head dimension");
  c.eps = static_cast<float>(f.get_float("llama.attention.layer_norm_rms_epsilon"));
  c.rope_base = f.find("llama.rope.freq_base")
                    ? static_cast<float>(f.get_float("llama.rope.freq_base")) : 10000.0f;

  const gguf::TensorInfo* embd = f.find_tensor("token_embd.weight");
  if (!embd || embd->dims.size() != 2) fail(f, "missing tensor 'token_embd.weight'");
  c.vocab = static_cast<int32_t>(embd->dims[1]);
  m->embd_ = matrix(f, "token_embd.weight", c.dim, c.vocab);
  c.tied_output = f.find_tensor("output.weight") == nullptr;
  m->output_ = c.tied_output ? m->embd_ : matrix(f, "output.weight", c.dim, c.vocab);
  m->out_norm_ = vector_f32(f, "output_norm.weight", c.dim);

  const int64_t kv = int64_t(c.n_kv_heads) * c.head_dim;
  for (int32_t l = 0; l < c.n_layers; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    LayerTensors L;
    L.attn_norm = vector_f32(f, p + "attn_norm.weight", c.dim);
    L.ffn_norm = vector_f32(f, p + "ffn_norm.weight", c.dim);
    L.wq = matrix(f, p + "attn_q.weight", c.dim, c.dim);
    L.wk = matrix(f, p + "attn_k.weight", c.dim, kv);
    L.wv = matrix(f, p + "attn_v.weight", c.dim, kv);
    L.wo = matrix(f, p + "attn_output.weight", c.dim, c.dim);
    L.w_gate = matrix(f, p + "ffn_gate.weight", c.dim, c.ffn_dim);
    L.w_up = matrix(f, p + "ffn_up.weight", c.dim, c.ffn_dim);
    L.w_down = matrix(f, p + "ffn_down.weight", c.ffn_dim, c.dim);
    m->layers_.push_back(std::move(L));
  }
  m->tokenizer_ = std::make_unique<Tokenizer>(vocab_from_gguf(f));
  if (m->tokenizer_->size() != size_t(c.vocab))
    fail(f, "tokenizer has " + std::to_string(m->tokenizer_->size()) + " tokens but the "
            "embedding has " + std::to_string(c.vocab) + " rows");
  return m;
}

uint64_t LlamaModel::weight_bytes_per_token() const {
  uint64_t b = embd_.bytes / uint64_t(cfg_.vocab) + output_.bytes + 4ull * cfg_.dim;
  for (const LayerTensors& L : layers_) {
    b += L.wq.bytes + L.wk.bytes + L.wv.bytes + L.wo.bytes + L.w_gate.bytes + L.w_up.bytes +
         L.w_down.bytes + 8ull * cfg_.dim;
  }
  return b;
}

std::string LlamaModel::describe() const {
  std::ostringstream o;
  o << "llama " << cfg_.n_layers << "x" << cfg_.dim << " heads " << cfg_.n_heads << "/"
    << cfg_.n_kv_heads << " ffn " << cfg_.ffn_dim << " vocab " << cfg_.vocab << " "
    << name(layers_.empty() ? embd_.type : layers_[0].wq.type);
  return o.str();
}

}  // namespace swapbench
