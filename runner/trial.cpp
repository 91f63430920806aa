// Running one trial: warm up, time repetitions until the median is known tightly enough,
// fingerprint every step, attribute time to slots, sample host health.
#include "runner/trial.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <set>
#include <sstream>

#include "harness/cpu_affinity.h"
#include "harness/equality.h"
#include "kernels/common/device_fault.h"
#include "runner/model/llama_model.h"
#include "runner/workload.h"

namespace swapbench {
namespace {

// Records a tap for every slot output of the steps it is attached to.
class TapObserver final : public StepObserver {
 public:
  TapObserver(Engine& e, std::vector<taps::Tap>& out) : engine_(e), out_(out) {}
  void set_step(int32_t s) { step_ = s; }
  void after(const SlotCall& c) override {
    if (!c.out || c.out_n <= 0) return;
    buf_.resize(size_t(c.out_n));
    engine_.read(c.out, buf_.size(), buf_.data());
    out_.push_back({step_, c.layer, c.site, *c.slot, c.binding->variant->info.name,
                    taps::summarize(buf_.data(), buf_.size())});
  }

 private:
  Engine& engine_;
  std::vector<taps::Tap>& out_;
  std::vector<float> buf_;
  int32_t step_ = 0;
};

std::string hex(uint64_t v) {
  std::ostringstream o;
  o << std::hex << std::setw(16) << std::setfill('0') << v;
  return o.str();
}

std::vector<SlotShare> attribute(const std::vector<SlotTiming>& calls, double peak_gbps) {
  std::map<std::pair<std::string, std::string>, SlotShare> by;
  double total = 0;
  for (const SlotTiming& c : calls) {
    SlotShare& s = by[{c.slot, c.variant}];
    s.slot = c.slot;
    s.variant = c.variant;
    ++s.calls;
    s.ms += c.ms;
    s.bytes += c.bytes;
    total += c.ms;
  }
  std::vector<SlotShare> out;
  for (auto& [k, s] : by) {
    s.share = total > 0 ? s.ms / total : 0;
    s.gbps = s.ms > 0 ? s.bytes / (s.ms * 1e6) : 0;
    s.pct_of_peak = peak_gbps > 0 ? 100.0 * s.gbps / peak_gbps : 0;
    out.push_back(s);
  }
  std::sort(out.begin(), out.end(),
            [](const SlotShare& a, const SlotShare& b) { return a.ms > b.ms; });
  return out;
}

}  // namespace

double roofline_pct(double tokens_per_second, double weight_bytes_per_token, double peak_gbps) {
  if (peak_gbps <= 0 || weight_bytes_per_token <= 0) return 0;
  return 100.0 * tokens_per_second * weight_bytes_per_token / (peak_gbps * 1e9);
}

double roofline_pct(const TrialResult& r) {
  return roofline_pct(r.tokens_per_second, r.weight_bytes_per_token, r.spec.peak_gbps);
}

TrialResult run_trial(const TrialSpec& spec) {
  using clock = std::chrono::steady_clock;
  TrialResult r;
  r.spec = spec;
  try {
    // Before the engine starts any thread (CUDA's included): they inherit the set.
    const affinity::ScopedPin pin(spec.cpus.empty() ? std::vector<int>{}
                                                    : affinity::parse_cpu_list(spec.cpus));
    std::set<int32_t> cpus_seen;
    const Workload wl = Workload::parse(spec.workload);
    const auto be = backend_from_string(spec.backend);
    if (!be) throw std::runtime_error("unknown backend '" + spec.backend + "'");
    auto model = LlamaModel::load(spec.model);
    const int32_t start = wl.kind == Workload::Kind::tg ? wl.context : 0;
    const int32_t n = wl.tokens;
    const bool hollow = !spec.hollow.empty();
    auto engine = make_engine(
        *be, *model, Plan::parse(spec.plan),
        {.max_ctx = start + n + 1, .graphs = spec.graphs, .pdl = spec.pdl, .hollow = spec.hollow});
    r.variants = engine->bindings().chosen();
    r.fallbacks = engine->bindings().fallbacks();
    r.unused_plan_entries = engine->bindings().unused();
    r.weight_bytes_per_token = double(model->weight_bytes_per_token());
    r.device = spec.backend;

    const int32_t first = int32_t(spec.seed % uint64_t(model->config().vocab));
    const int32_t tok = start > 0 ? engine->step_chain(first, 0, start).back() : first;
    engine->timed_chain(tok, start, n);  // warm-up over exactly the timed positions

    HealthSampler sampler(0);
    const auto t0 = clock::now();
    for (;;) {
      std::vector<int32_t> ids;
      const std::vector<double> ms = engine->timed_chain(tok, start, n, &ids);
      r.samples_ms.insert(r.samples_ms.end(), ms.begin(), ms.end());
      cpus_seen.insert(affinity::current_cpu());
      ++r.reps;
      if (r.reps == 1) {
        r.tokens = ids;
      } else if (!hollow && ids != r.tokens) {  // hollow calls leave stale activations behind
        throw std::runtime_error("repetition " + std::to_string(r.reps) +
                                 " decoded different tokens from the same state");
      }
      const double spent = std::chrono::duration<double>(clock::now() - t0).count();
      if (r.reps >= spec.stop.min_reps &&
          stats::converged(r.samples_ms, spec.stop.rel_half_width, spec.stop.confidence)) {
        r.stop_reason = "converged";
        break;
      }
      if (spent >= spec.stop.max_seconds) {
        r.stop_reason = "time_cap";
        break;
      }
      if (r.reps >= spec.stop.max_reps) {
        r.stop_reason = "max_reps";
        break;
      }
    }
    r.cpus_seen.assign(cpus_seen.begin(), cpus_seen.end());
    r.health = spec.backend == "cuda" ? sampler.stop() : HealthReport{};
    if (spec.backend != "cuda") r.health.why_not_sampled = "cpu trial";
    r.summary = stats::summarize(r.samples_ms, spec.stop.confidence);
    r.tokens_per_second = r.summary.median > 0 ? 1000.0 / r.summary.median : 0;

    if (hollow) return r;  // timing only: the tokens and logits of a hollow step mean nothing
    // Equality pass: the same positions driven from the host, logits kept per step.
    std::ofstream logits_file;
    if (!spec.logits_out.empty()) {
      logits_file.open(spec.logits_out, std::ios::binary);
      if (!logits_file) throw std::runtime_error("cannot write " + spec.logits_out);
    }
    TapObserver tap(*engine, r.taps);
    std::vector<float> logits;
    int32_t feed = tok;
    for (int32_t i = 0; i < n; ++i) {
      const bool tapping = i < spec.taps_steps;
      if (tapping) {
        tap.set_step(i);
        engine->set_observer(&tap);
      }
      const int32_t next = engine->step(feed, start + i);
      if (tapping) engine->set_observer(nullptr);
      if (next != r.tokens[size_t(i)]) {
        r.status = "mismatch";
        r.error = "step " + std::to_string(i) + ": host-driven step chose " + std::to_string(next) +
                  " but the timed chain chose " + std::to_string(r.tokens[size_t(i)]);
      }
      engine->logits(logits);
      r.fingerprints.push_back(hex(equality::fingerprint(logits.data(), logits.size())));
      if (logits_file)
        logits_file.write(reinterpret_cast<const char*>(logits.data()),
                          std::streamsize(logits.size() * sizeof(float)));
      feed = r.tokens[size_t(i)];
    }
    if (spec.profile) r.slots = attribute(engine->profile_step(tok, start), spec.peak_gbps);
  } catch (const PlanError& e) {
    r.status = "skipped";
    r.error = e.what();
  } catch (const DeviceFault& e) {
    r.status = "crashed";
    r.error = e.what();
  } catch (const std::exception& e) {
    r.status = "error";
    r.error = e.what();
  }
  return r;
}

std::vector<std::vector<float>> read_logits(const std::string& path, size_t vocab) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot read logits " + path);
  std::vector<std::vector<float>> out;
  std::vector<float> row(vocab);
  while (f.read(reinterpret_cast<char*>(row.data()), std::streamsize(vocab * sizeof(float))))
    out.push_back(row);
  return out;
}

std::vector<equality::Step> equality_steps(const TrialResult& r, size_t vocab) {
  std::vector<equality::Step> out;
  std::vector<std::vector<float>> logits;
  if (!r.spec.logits_out.empty() && std::filesystem::exists(r.spec.logits_out))
    logits = read_logits(r.spec.logits_out, vocab);
  for (size_t i = 0; i < r.tokens.size(); ++i)
    out.push_back({r.tokens[i], i < logits.size() ? std::move(logits[i]) : std::vector<float>{}});
  return out;
}

}  // namespace swapbench
