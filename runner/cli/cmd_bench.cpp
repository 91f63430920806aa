// `swapbench bench`: decode throughput of plans x graphs modes x workloads, in this process.
// Each repetition decodes the same positions from the same KV state (the same work), chained
// on the device; the host clock is read only after the final synchronisation.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "harness/device_info.h"
#include "runner/cli/commands.h"
#include "runner/engine/engine.h"
#include "runner/model/llama_model.h"
#include "runner/workload.h"

namespace swapbench::cli {

Backend pick_backend(const std::string& name);  // cmd_run.cpp

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

void add_bench(CLI::App& app, Action& run) {
  auto* c = app.add_subcommand("bench", "Measure decode tok/s for plans, graphs modes, workloads");
  static std::string model_path, backend = "auto", graphs = "on,off", workloads = "tg128";
  static std::vector<std::string> plans;
  static int reps = 7;
  static std::string json_out, pdl = "off";
  c->add_option("--model,-m", model_path, "GGUF model (default as for run)");
  c->add_option("--plan", plans, "A plan; repeat the option to compare several (default: reference)");
  c->add_option("--backend", backend, "cpu, cuda or auto");
  c->add_option("--graphs", graphs, "on, off or on,off");
  c->add_option("--pdl", pdl, "CUDA programmatic dependent launch between kernels: on or off")
      ->check(CLI::IsMember({"on", "off"}));
  c->add_option("--workload,-w", workloads, "Comma-separated: tg128, tg128@ctx4096");
  c->add_option("--reps", reps, "Timed repetitions per trial")->check(CLI::Range(1, 1000));
  c->add_option("--json", json_out, "Also write all samples as JSON to this file");
  c->callback([&run] {
    run = [] {
      const std::string path = model_path.empty() ? default_model() : model_path;
      const Backend be = pick_backend(backend);
      auto model = LlamaModel::load(path);
      std::vector<Workload> wls;
      for (const std::string& w : split(workloads, ',')) {
        try {
          wls.push_back(Workload::parse(w));
        } catch (const std::invalid_argument& e) {
          throw UsageError(e.what());
        }
      }
      std::vector<bool> modes;
      for (const std::string& g : split(graphs, ',')) {
        if (g != "on" && g != "off") throw UsageError("--graphs takes on, off or on,off");
        modes.push_back(g == "on");
      }
      if (be == Backend::cpu) modes = {false};  // graphs mean nothing on the CPU
      if (plans.empty()) plans.push_back("");
      const double weight_bytes = double(model->weight_bytes_per_token());
      DeviceReport dev;
      if (be == Backend::cuda) dev = measure_device();

      nlohmann::json out{{"model", path},
                         {"model_desc", model->describe()},
                         {"backend", to_string(be)},
                         {"pdl", pdl == "on"},
                         {"weight_bytes_per_token", weight_bytes},
                         {"device", to_json(dev)},
                         {"trials", nlohmann::json::array()}};
      std::cout << model->describe() << ", " << weight_bytes / 1e6 << " MB of weights per token";
      if (dev.available)
        std::cout << "; " << dev.name << ", read " << std::fixed << std::setprecision(0)
                  << dev.read_gbps << " GB/s -> roofline " << dev.read_gbps * 1e9 / weight_bytes
                  << " tok/s";
      if (be == Backend::cuda) std::cout << "; pdl " << pdl;
      std::cout << "\n\n" << std::left << std::setw(44) << "plan" << std::setw(16) << "workload"
                << std::setw(8) << "graphs" << std::right << std::setw(12) << "tok/s"
                << std::setw(18) << "min..max" << std::setw(10) << "roofline" << "\n";
      for (const std::string& plan_text : plans) {
        const Plan plan = Plan::parse(plan_text);
        for (const Workload& wl : wls) {
          std::map<bool, double> by_mode;
          for (bool g : modes) {
            auto engine = make_engine(be, *model, plan,
                                      {.max_ctx = wl.context + wl.tokens + 1,
                                       .graphs = g,
                                       .pdl = pdl == "on"});
            // Fill the context, then warm up over the timed positions.
            int32_t tok = model->tokenizer().bos() >= 0 ? model->tokenizer().bos() : 0;
            if (wl.context > 0) tok = engine->step_chain(tok, 0, wl.context).back();
            engine->step_chain(tok, wl.context, wl.tokens);
            std::vector<double> tps;
            std::vector<int32_t> first_tokens;
            for (int r = 0; r < reps; ++r) {
              const auto t0 = std::chrono::steady_clock::now();
              const std::vector<int32_t> ids = engine->step_chain(tok, wl.context, wl.tokens);
              const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
              tps.push_back(wl.tokens / s);
              if (r == 0) first_tokens = ids;
              else if (ids != first_tokens)
                throw std::runtime_error("repetitions of the same work decoded different tokens");
            }
            const double med = median(tps);
            by_mode[g] = med;
            const auto [mn, mx] = std::minmax_element(tps.begin(), tps.end());
            const double roof = dev.available ? med * weight_bytes / (dev.read_gbps * 1e9) : 0.0;
            std::ostringstream range;
            range << std::fixed << std::setprecision(1) << *mn << ".." << *mx;
            std::cout << std::left << std::setw(44)
                      << (plan.entries.empty() ? "reference" : plan.to_string()) << std::setw(16)
                      << wl.name() << std::setw(8) << (be == Backend::cuda ? (g ? "on" : "off") : "-")
                      << std::right << std::fixed << std::setprecision(1) << std::setw(12) << med
                      << std::setw(18) << range.str() << std::setw(9) << std::setprecision(1);
            if (dev.available) std::cout << roof * 100 << "%\n";
            else std::cout << "-" << "\n";
            out["trials"].push_back({{"plan", plan.to_string()},
                                     {"workload", wl.name()},
                                     {"graphs", g},
                                     {"tokens_per_second", tps},
                                     {"median_tokens_per_second", med},
                                     {"roofline_fraction", roof},
                                     {"variants", engine->bindings().chosen()},
                                     {"fallbacks", engine->bindings().fallbacks()},
                                     {"tokens", first_tokens}});
          }
          if (by_mode.count(true) && by_mode.count(false) && be == Backend::cuda)
            std::cout << "  graphs on/off ratio: " << std::setprecision(2)
                      << by_mode[true] / by_mode[false] << "\n";
        }
      }
      if (!json_out.empty()) {
        std::ofstream f(json_out);
        f << out.dump(2) << "\n";
        if (!f) throw std::runtime_error("cannot write " + json_out);
      }
      return 0;
    };
  });
}

}  // namespace swapbench::cli
