// `swapbench run`: greedy decode of a prompt with a plan on a backend; text, ids and tok/s.
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "runner/cli/commands.h"
#include "runner/decode.h"
#include "runner/engine/engine.h"
#include "runner/model/llama_model.h"

namespace swapbench::cli {

void add_run(CLI::App& app, Action& run) {
  auto* c = app.add_subcommand("run", "Decode text greedily from a prompt");
  static std::string model_path, prompt = "The capital of France is", backend = "auto";
  static std::string plan_text, graphs = "on", pdl = "off";
  static int32_t n = 32, max_ctx = 0;
  static bool json = false, no_stop = false;
  c->add_option("--model,-m", model_path,
                "GGUF model (default: the real SmolLM2 when fetched, else a generated tiny model)");
  c->add_option("--prompt,-p", prompt, "Prompt text");
  c->add_option("-n,--tokens", n, "Tokens to generate")->check(CLI::Range(1, 1 << 20));
  c->add_option("--backend", backend, "cpu, cuda or auto (the GPU when there is one)");
  c->add_option("--plan", plan_text, "Variants, e.g. rmsnorm=warp_shuffle,matvec.q4_1=v3_small");
  c->add_option("--graphs", graphs, "CUDA graphs on or off")->check(CLI::IsMember({"on", "off"}));
  c->add_option("--pdl", pdl, "CUDA programmatic dependent launch between kernels: on or off")
      ->check(CLI::IsMember({"on", "off"}));
  c->add_option("--max-ctx", max_ctx, "KV cache positions (default: prompt + tokens)")
      ->check(CLI::NonNegativeNumber);
  c->add_flag("--no-stop", no_stop, "Keep generating after the end-of-sequence token");
  c->add_flag("--json", json, "Machine-readable output");
  c->callback([&run] {
    run = [] {
      const std::string path = model_path.empty() ? default_model() : model_path;
      const Plan plan = Plan::parse(plan_text);
      const Backend be = pick_backend(backend);
      auto model = LlamaModel::load(path);
      const auto prompt_len = int32_t(model->tokenizer().encode(prompt).size());
      EngineOptions eo;
      eo.max_ctx = max_ctx > 0 ? max_ctx : std::max<int32_t>(prompt_len, 1) + n;
      eo.graphs = graphs == "on";
      eo.pdl = pdl == "on";
      auto engine = make_engine(be, *model, plan, eo);
      DecodeOptions dopt;
      dopt.n_tokens = n;
      dopt.stop_at_eos = !no_stop;
      const DecodeResult r = greedy_decode(*engine, model->tokenizer(), prompt, dopt);
      if (json) {
        nlohmann::json j{{"model", path},
                         {"backend", to_string(be)},
                         {"plan", plan.to_string()},
                         {"graphs", graphs},
                         {"pdl", pdl},
                         {"prompt", prompt},
                         {"prompt_ids", r.prompt_ids},
                         {"ids", r.ids},
                         {"text", r.text},
                         {"prompt_seconds", r.prompt_seconds},
                         {"decode_seconds", r.decode_seconds},
                         {"decode_steps", r.decode_steps},
                         {"tokens_per_second", r.tokens_per_second()},
                         {"variants", engine->bindings().chosen()},
                         {"fallbacks", engine->bindings().fallbacks()},
                         {"unused_plan_entries", engine->bindings().unused()}};
        std::cout << j.dump(2) << "\n";
        return 0;
      }
      std::cout << prompt << r.text << "\n\n";
      std::cout << "ids:";
      for (int32_t id : r.ids) std::cout << ' ' << id;
      std::cout << "\n" << model->describe() << ", " << to_string(be)
                << (be == Backend::cuda ? (eo.graphs ? ", graphs on" : ", graphs off") : "")
                << (be == Backend::cuda && eo.pdl ? ", pdl on" : "")
                << ", plan '" << (plan.entries.empty() ? "reference" : plan.to_string()) << "'\n";
      for (const std::string& f : engine->bindings().fallbacks()) std::cout << "fallback: " << f << "\n";
      for (const std::string& u : engine->bindings().unused()) std::cout << unused_note(u) << "\n";
      std::cout << std::fixed << std::setprecision(1) << r.prompt_ids.size() << " prompt tokens in "
                << r.prompt_seconds * 1e3 << " ms; " << r.decode_steps << " decode steps at "
                << r.tokens_per_second() << " tok/s\n";
      return 0;
    };
  });
}

}  // namespace swapbench::cli
