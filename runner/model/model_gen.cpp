// Streaming generation of random-weight llama GGUF files.
#include "runner/model/model_gen.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <thread>

#include "kernels/common/quant_cpu.h"
#include "runner/model/gguf.h"
#include "runner/model/synthetic_vocab.h"

namespace swapbench {
namespace {

// splitmix64: a fast, well-mixed generator; one stream per (seed, tensor, row) makes the
// output independent of how rows are split across threads.
struct SplitMix {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  float uniform() { return float(next() >> 40) * (1.0f / 16777216.0f) * 2.0f - 1.0f; }
};

struct TensorPlan {
  std::string name;
  int64_t cols, rows;
  DType type;
  float scale;   // uniform in [-scale, scale] around `center`
  float center;
};

void fill_rows(const TensorPlan& t, uint64_t seed, uint64_t tensor_id, int64_t r0, int64_t r1,
               uint8_t* out, std::vector<float>& tmp) {
  const uint64_t stride = row_bytes(t.type, uint64_t(t.cols));
  tmp.resize(size_t(t.cols));
  for (int64_t r = r0; r < r1; ++r) {
    SplitMix rng{seed * 0x100000001B3ull ^ (tensor_id << 40) ^ uint64_t(r) * 0x9E37ull};
    for (float& x : tmp) x = t.center + t.scale * rng.uniform();
    quantize_row(t.type, tmp.data(), out + stride * uint64_t(r - r0), t.cols);
  }
}

}  // namespace

const std::vector<ModelShape>& model_shapes() {
  static const std::vector<ModelShape> shapes = {
      {"tiny", 2, 64, 4, 2, 128, 512, 512, 10000.0f, true},
      {"smollm2-135m", 30, 576, 9, 3, 1536, 49152, 8192, 100000.0f, true},
      {"llama-1b", 16, 2048, 32, 8, 8192, 128256, 131072, 500000.0f, true},
      {"llama-8b", 32, 4096, 32, 8, 14336, 128256, 131072, 500000.0f, false},
  };
  return shapes;
}

std::optional<ModelShape> find_model_shape(const std::string& name) {
  for (const ModelShape& s : model_shapes())
    if (s.name == name) return s;
  return std::nullopt;
}

uint64_t generate_model(const std::string& path, const GenOptions& o) {
  const auto shape = find_model_shape(o.shape);
  if (!shape) throw std::invalid_argument("unknown model shape '" + o.shape + "'");
  const ModelShape& s = *shape;
  if (!info(o.quant).decodable || o.quant == DType::bf16)
    throw std::invalid_argument("cannot generate layers of type " + std::string(name(o.quant)));
  const bool four_bit = o.quant == DType::q4_0 || o.quant == DType::q4_1;
  const DType big = four_bit ? DType::q8_0 : o.quant;  // embedding and untied output
  const int64_t head_dim = s.dim / s.n_heads, kv = head_dim * s.n_kv_heads;

  auto uni = [](int64_t cols) { return std::sqrt(3.0f / float(cols)); };
  std::vector<TensorPlan> plan;
  plan.push_back({"token_embd.weight", s.dim, s.vocab, big, 1.0f, 0.0f});
  for (int32_t l = 0; l < s.n_layers; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    plan.push_back({p + "attn_norm.weight", s.dim, 1, DType::f32, 0.1f, 1.0f});
    plan.push_back({p + "attn_q.weight", s.dim, s.dim, o.quant, uni(s.dim), 0.0f});
    plan.push_back({p + "attn_k.weight", s.dim, kv, o.quant, uni(s.dim), 0.0f});
    plan.push_back({p + "attn_v.weight", s.dim, kv, o.quant, uni(s.dim), 0.0f});
    plan.push_back({p + "attn_output.weight", s.dim, s.dim, o.quant, uni(s.dim), 0.0f});
    plan.push_back({p + "ffn_norm.weight", s.dim, 1, DType::f32, 0.1f, 1.0f});
    plan.push_back({p + "ffn_gate.weight", s.dim, s.ffn_dim, o.quant, uni(s.dim), 0.0f});
    plan.push_back({p + "ffn_up.weight", s.dim, s.ffn_dim, o.quant, uni(s.dim), 0.0f});
    plan.push_back({p + "ffn_down.weight", s.ffn_dim, s.dim, o.quant, uni(s.ffn_dim), 0.0f});
  }
  plan.push_back({"output_norm.weight", s.dim, 1, DType::f32, 0.1f, 1.0f});
  if (!s.tied_output) plan.push_back({"output.weight", s.dim, s.vocab, big, uni(s.dim), 0.0f});

  gguf::Writer w(path);
  w.add("general.architecture", gguf::Value::string("llama"));
  w.add("general.name", gguf::Value::string("swapbench " + s.name + " " +
                                            std::string(name(o.quant)) + " seed " +
                                            std::to_string(o.seed)));
  w.add("general.quantization_version", gguf::Value::u32(2));
  w.add("swapbench.shape", gguf::Value::string(s.name));
  w.add("swapbench.seed", gguf::Value::u64(o.seed));
  w.add("llama.block_count", gguf::Value::u32(uint32_t(s.n_layers)));
  w.add("llama.context_length", gguf::Value::u32(uint32_t(s.context)));
  w.add("llama.embedding_length", gguf::Value::u32(uint32_t(s.dim)));
  w.add("llama.feed_forward_length", gguf::Value::u32(uint32_t(s.ffn_dim)));
  w.add("llama.attention.head_count", gguf::Value::u32(uint32_t(s.n_heads)));
  w.add("llama.attention.head_count_kv", gguf::Value::u32(uint32_t(s.n_kv_heads)));
  w.add("llama.rope.freq_base", gguf::Value::f32(s.rope_base));
  w.add("llama.rope.dimension_count", gguf::Value::u32(uint32_t(head_dim)));
  w.add("llama.attention.layer_norm_rms_epsilon", gguf::Value::f32(1e-5f));
  w.add("llama.vocab_size", gguf::Value::u32(uint32_t(s.vocab)));
  const Vocab vocab = make_synthetic_vocab(size_t(s.vocab));
  w.add("tokenizer.ggml.model", gguf::Value::string("gpt2"));
  w.add("tokenizer.ggml.pre", gguf::Value::string(vocab.pre));
  w.add("tokenizer.ggml.tokens", gguf::Value::strings(vocab.tokens));
  w.add("tokenizer.ggml.token_type", gguf::Value::i32s(vocab.types));
  w.add("tokenizer.ggml.merges", gguf::Value::strings(vocab.merges));
  w.add("tokenizer.ggml.bos_token_id", gguf::Value::u32(uint32_t(vocab.bos)));
  w.add("tokenizer.ggml.eos_token_id", gguf::Value::u32(uint32_t(vocab.eos)));
  w.add("tokenizer.ggml.add_bos_token", gguf::Value::boolean(false));
  for (const TensorPlan& t : plan) {
    std::vector<uint64_t> dims{uint64_t(t.cols)};
    if (t.rows > 1) dims.push_back(uint64_t(t.rows));
    w.add_tensor(t.name, dims, t.type);
  }
  w.begin_data();

  const int threads = o.threads > 0 ? o.threads
                                    : std::max(1, int(std::thread::hardware_concurrency()));
  std::vector<uint8_t> chunk;
  std::vector<std::vector<float>> tmp(static_cast<size_t>(threads));
  uint64_t written = 0;
  for (size_t ti = 0; ti < plan.size(); ++ti) {
    const TensorPlan& t = plan[ti];
    const uint64_t stride = row_bytes(t.type, uint64_t(t.cols));
    // ~32 MiB per chunk, split over the threads by rows.
    const int64_t rows_per_chunk = std::max<int64_t>(1, int64_t((32ull << 20) / stride));
    for (int64_t r0 = 0; r0 < t.rows; r0 += rows_per_chunk) {
      const int64_t r1 = std::min(t.rows, r0 + rows_per_chunk);
      chunk.resize(stride * uint64_t(r1 - r0));
      const int64_t per = (r1 - r0 + threads - 1) / threads;
      std::vector<std::thread> pool;
      for (int k = 0; k < threads; ++k) {
        const int64_t a = r0 + per * k, b = std::min(r1, a + per);
        if (a >= b) break;
        pool.emplace_back([&, k, a, b] {
          fill_rows(t, o.seed, ti, a, b, chunk.data() + stride * uint64_t(a - r0), tmp[size_t(k)]);
        });
      }
      for (std::thread& th : pool) th.join();
      w.write_tensor_chunk(chunk.data(), chunk.size());
      written += chunk.size();
    }
  }
  w.finish();
  return written;
}

}  // namespace swapbench
