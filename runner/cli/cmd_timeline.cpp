// `swapbench timeline`: one decode step replayed as it runs in a benchmark (graphs and PDL as
// asked), with every block's entry, release from its grid wait and warps' ends read from the
// device clock; prints where the step's time goes per launch, then per SM (sm_timeline.h). Needs a
// build configured with -DSWAPBENCH_TRACE=ON (the hooks cost a global load each, so normal builds
// leave them out).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "harness/sm_timeline.h"
#include "harness/timeline.h"
#include "kernels/common/block_trace.h"
#include "runner/cli/commands.h"
#include "runner/engine/engine.h"
#include "runner/model/llama_model.h"
#ifdef SWAPBENCH_HAVE_CUDA
#include "harness/block_trace_capture.h"
#endif

namespace swapbench::cli {
namespace {

#ifdef SWAPBENCH_HAVE_CUDA
std::vector<LaunchLabel> labels_of(const std::vector<SlotTiming>& calls) {
  std::vector<LaunchLabel> out;
  for (const SlotTiming& c : calls)
    out.push_back({c.slot + ":" + c.variant, c.site, c.layer, c.bytes});
  out.push_back({"engine:advance", "advance", -1, 0});  // the step's last kernel (cuda_engine)
  return out;
}

// Written beside `path` and renamed over it only when complete: a failed write leaves whatever
// was at `path` untouched.
void write_records(const std::string& path, const std::vector<trace::Record>& records) {
  const std::string tmp = path + ".partial";
  {
    std::ofstream f(tmp, std::ios::trunc);
    f << "t_ns,grid,sm,block,warp,event\n";
    for (const trace::Record& r : records)
      f << r.t_ns << ',' << r.grid << ',' << r.sm << ',' << r.block << ',' << r.warp << ','
        << r.event << '\n';
    f.close();
    if (!f) {
      std::remove(tmp.c_str());
      throw std::runtime_error("cannot write " + tmp);
    }
  }
  std::filesystem::rename(tmp, path);
}
#endif

}  // namespace

void add_timeline(CLI::App& app, Action& run) {
  auto* c =
      app.add_subcommand("timeline",
                         "Per-launch timeline of one CUDA decode step from per-block device clocks "
                         "(build with -DSWAPBENCH_TRACE=ON)");
  static std::string model_path, plan_text, graphs = "on", pdl = "on", records_path;
  static int32_t pos = 64, warmup = 3, layer = -1;
  static bool per_sm = false;
  c->add_option("--model,-m", model_path, "GGUF model")->required();
  c->add_option("--plan", plan_text, "Variants, e.g. matvec=coalesced,attn_decode=warp_tile");
  c->add_option("--graphs", graphs, "CUDA graphs on or off")->check(CLI::IsMember({"on", "off"}));
  c->add_option("--pdl", pdl, "Programmatic dependent launch: on or off")
      ->check(CLI::IsMember({"on", "off"}));
  c->add_option("--pos", pos, "Position of the traced step (the KV cache holds pos rows)")
      ->check(CLI::Range(0, 1 << 20));
  c->add_option("--warmup", warmup, "Steps run before the traced one")->check(CLI::Range(1, 1000));
  c->add_option("--layer", layer, "Layer whose launches are listed (default: the middle one)")
      ->check(CLI::Range(-1, 1 << 20));
  c->add_option("--records", records_path, "Also write every raw record to this CSV file");
  c->add_flag("--per-sm", per_sm,
              "Also list every SM: its blocks, gaps between them and speed against its launches");
  c->callback([&run] {
    run = []() -> int {
      // The arguments first (the model is mapped, not read), then what the build and host lack.
      output_file_option(records_path, "--records");  // before any device work
      const Plan plan = Plan::parse(plan_text);
      auto model = LlamaModel::load(model_path);
      const int32_t layers = model->config().n_layers;
      if (layer >= layers)
        throw UsageError("--layer " + std::to_string(layer) + ": the model has layers 0.." +
                         std::to_string(layers - 1));
      if (!trace::compiled_in())
        throw UsageError("this build has no block trace: configure with -DSWAPBENCH_TRACE=ON");
#ifdef SWAPBENCH_HAVE_CUDA
      if (std::string why; !cuda_available(&why)) throw std::runtime_error(why);
      EngineOptions eo;
      eo.max_ctx = pos + 1;
      eo.graphs = graphs == "on";
      eo.pdl = pdl == "on";
      auto engine = make_engine(Backend::cuda, *model, plan, eo);
      const int32_t token = 1;
      // The launch list, in order, from one eager step with an observer.
      const std::vector<LaunchLabel> labels = labels_of(engine->profile_step(token, pos));
      if (pos > 0) engine->step_chain(token, 0, pos);  // fill the KV cache rows attention reads
      for (int32_t i = 0; i < warmup; ++i) engine->step(token, pos);
      const auto records = record_blocks([&] { engine->step(token, pos); }, 1u << 14);
      if (!records_path.empty()) write_records(records_path, records);
      const auto rows = attribute(grid_spans(records), labels);
      const int32_t show = layer >= 0 ? layer : layers / 2;
      std::cout << model->describe() << ", plan '"
                << (plan.entries.empty() ? "reference" : plan.to_string()) << "', graphs " << graphs
                << ", pdl " << pdl << ", pos " << pos << "\n"
                << format_timeline(rows, show) << "\n"
                << format_sm_view(sm_view(records), per_sm);
      return 0;
#else
      throw std::runtime_error("this build has no CUDA backend");
#endif
    };
  });
}

}  // namespace swapbench::cli
