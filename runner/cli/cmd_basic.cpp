// `swapbench version`, `info MODEL`, `gen-model`: the model-facing subcommands.
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "runner/cli/commands.h"
#include "runner/model/gguf.h"
#include "runner/model/llama_model.h"
#include "runner/model/model_gen.h"

namespace swapbench::cli {

std::string unused_note(const std::string& entry) {
  return "note: plan entry '" + entry +
         "' matches no call of this model's decode step (no such slot here, or a fused slot "
         "whose matrices differ in type), so it changes nothing";
}

std::string models_dir() {
  if (const char* env = std::getenv("SWAPBENCH_MODELS")) return env;
  return std::string(SWAPBENCH_SOURCE_DIR) + "/models";
}

std::string default_model() {
  const std::string real = models_dir() + "/SmolLM2-135M-Instruct.Q4_1.gguf";
  if (std::filesystem::exists(real)) return real;
  const std::string tiny = models_dir() + "/tiny-q4_1-seed1.gguf";
  if (!std::filesystem::exists(tiny)) {
    std::filesystem::create_directories(models_dir());
    std::cerr << "swapbench: real model not fetched (ci/fetch-model.sh); generating " << tiny
              << "\n";
    generate_model(tiny, {.shape = "tiny", .quant = DType::q4_1, .seed = 1});
  }
  return tiny;
}

void add_version(CLI::App& app, Action& run) {
  auto* c = app.add_subcommand("version", "Print the tool version and build features");
  c->callback([&run] {
    run = [] {
      std::cout << "swapbench " << SWAPBENCH_VERSION
#ifdef SWAPBENCH_HAVE_CUDA
                << " (cuda)"
#else
                << " (cpu only)"
#endif
                << "\n";
      return 0;
    };
  });
}

namespace {

std::string value_text(const gguf::Value& v) {
  using T = gguf::ValueType;
  switch (v.type()) {
    case T::string: {
      std::string s = v.as_string();
      if (s.size() > 80) s = s.substr(0, 77) + "...";
      for (char& ch : s)
        if (ch == '\n') ch = ' ';
      return s;
    }
    case T::array: return "[" + std::to_string(v.size()) + " items]";
    case T::boolean: return v.as_bool() ? "true" : "false";
    case T::f32:
    case T::f64: return std::to_string(v.as_float());
    case T::i8:
    case T::i16:
    case T::i32:
    case T::i64: return std::to_string(v.as_int());
    default: return std::to_string(v.as_uint());
  }
}

}  // namespace

void add_info(CLI::App& app, Action& run) {
  auto* c = app.add_subcommand("info", "Show a GGUF model: metadata, tensors, bytes per token");
  static std::string path;
  static bool json = false;
  c->add_option("model", path, "GGUF file")->required();
  c->add_flag("--json", json, "Machine-readable output");
  c->callback([&run] {
    run = [] {
      const gguf::File f = gguf::File::open(path);
      std::unique_ptr<LlamaModel> model;
      std::string model_error;
      try {
        model = LlamaModel::load(path);
      } catch (const std::exception& e) {
        model_error = e.what();
      }
      nlohmann::json j;
      j["path"] = path;
      j["version"] = f.version();
      j["file_bytes"] = f.file_size();
      for (const auto& kv : f.metadata()) j["metadata"][kv.key] = value_text(kv.value);
      uint64_t total = 0;
      for (const auto& t : f.tensors()) {
        j["tensors"].push_back({{"name", t.name},
                                {"type", std::string(name(t.type))},
                                {"type_id", static_cast<uint32_t>(t.type)},
                                {"dims", t.dims},
                                {"bytes", t.n_bytes()}});
        total += t.n_bytes();
      }
      j["tensor_bytes"] = total;
      if (model) {
        const LlamaConfig& cfg = model->config();
        j["llama"] = {{"blocks", cfg.n_layers},     {"embedding", cfg.dim},
                      {"heads", cfg.n_heads},       {"kv_heads", cfg.n_kv_heads},
                      {"head_dim", cfg.head_dim},   {"ffn", cfg.ffn_dim},
                      {"vocab", cfg.vocab},         {"context", cfg.context},
                      {"rope_base", cfg.rope_base}, {"tied_output", cfg.tied_output}};
        j["weight_bytes_per_token"] = model->weight_bytes_per_token();
      } else {
        j["decode_error"] = model_error;
      }
      if (json) {
        std::cout << j.dump(2) << "\n";
        return 0;
      }
      std::cout << path << ": GGUF v" << f.version() << ", " << f.file_size() << " bytes, "
                << f.metadata().size() << " keys, " << f.tensors().size() << " tensors\n\n";
      for (const auto& kv : f.metadata())
        std::cout << "  " << std::left << std::setw(42) << kv.key << value_text(kv.value) << "\n";
      std::cout << "\n  " << std::left << std::setw(30) << "tensor" << std::setw(8) << "type"
                << std::setw(20) << "dims" << "bytes\n";
      for (const auto& t : f.tensors()) {
        std::string dims;
        for (uint64_t d : t.dims) dims += (dims.empty() ? "" : "x") + std::to_string(d);
        std::cout << "  " << std::setw(30) << t.name << std::setw(8) << name(t.type)
                  << std::setw(20) << dims << t.n_bytes() << "\n";
      }
      if (model) {
        const LlamaConfig& cfg = model->config();
        std::cout << "\nllama: " << cfg.n_layers << " blocks, " << cfg.dim << " embedding, "
                  << cfg.n_heads << " heads (" << cfg.n_kv_heads << " kv), ffn " << cfg.ffn_dim
                  << ", vocab " << cfg.vocab << (cfg.tied_output ? ", tied output" : "") << "\n";
        std::cout << "weight bytes read per decoded token: " << model->weight_bytes_per_token()
                  << " (" << std::fixed << std::setprecision(1)
                  << double(model->weight_bytes_per_token()) / 1e6 << " MB)\n";
      } else {
        std::cout << "\ncannot decode with this file: " << model_error << "\n";
      }
      return 0;
    };
  });
}

void add_gen_model(CLI::App& app, Action& run) {
  auto* c = app.add_subcommand("gen-model", "Write a llama GGUF with random weights of a named shape");
  static std::string shape = "tiny", quant = "q4_1", out;
  static uint64_t seed = 1;
  static int threads = 0;
  std::vector<std::string> shapes;
  for (const auto& s : model_shapes()) shapes.push_back(s.name);
  c->add_option("--shape", shape, "Model shape")->check(CLI::IsMember(shapes));
  c->add_option("--quant", quant, "Type of the layer matrices")
      ->check(CLI::IsMember({"f32", "f16", "q8_0", "q4_0", "q4_1"}));
  c->add_option("--seed", seed, "Random seed");
  c->add_option("--threads", threads, "Generator threads (0: all)")->check(CLI::Range(0, 4096));
  c->add_option("-o,--output", out, "Output GGUF path")->required();
  c->callback([&run] {
    run = [] {
      const uint64_t bytes = generate_model(
          out, {.shape = shape, .quant = *dtype_from_name(quant), .seed = seed, .threads = threads});
      std::cout << "wrote " << out << " (" << shape << ", " << quant << ", seed " << seed << ", "
                << bytes << " tensor bytes)\n";
      return 0;
    };
  });
}

}  // namespace swapbench::cli
