// A decode engine: a model's weights and KV cache on one backend, stepping one token at a time
// through the slot variants a plan chose.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runner/engine/llama_step.h"
#include "runner/model/llama_model.h"
#include "runner/plan.h"

namespace swapbench {

struct EngineOptions {
  int32_t max_ctx = 1024;  // KV cache positions; clamped to the model's context length
  bool graphs = true;      // CUDA: capture the step once and replay it (ignored on the CPU)
  bool pdl = false;        // CUDA: programmatic dependent launch between the step's kernels
  // Roles of the step's calls that run hollow (LlamaStep::set_hollow, `ablate`): timing only,
  // the decoded tokens mean nothing.
  std::vector<std::string> hollow;
};

// One slot call of a profiled step.
struct SlotTiming {
  std::string slot, variant, site;
  int32_t layer = -1;
  double ms = 0;     // device time of the call (host clock on the CPU)
  double bytes = 0;  // the variant's declared bytes moved for the call's shape
  double flops = 0;
};

class Engine {
 public:
  virtual ~Engine() = default;
  // Decodes `token` at position `pos` (< max_ctx) and returns the greedy next token.
  virtual int32_t step(int32_t token, int32_t pos) = 0;
  // Decodes n steps from (token, pos), feeding each greedy token to the next step without a
  // round trip to the host where the backend allows; returns the n tokens produced.
  virtual std::vector<int32_t> step_chain(int32_t token, int32_t pos, int32_t n) = 0;
  // Like step_chain, timing every step: device events between steps on CUDA, the host clock on
  // the CPU. Returns milliseconds per step; the tokens produced go to `tokens` when given.
  virtual std::vector<double> timed_chain(int32_t token, int32_t pos, int32_t n,
                                          std::vector<int32_t>* tokens = nullptr) = 0;
  // One eager step at (token, pos) with every slot call timed on its own (events around each
  // launch on CUDA): the per-slot attribution pass.
  virtual std::vector<SlotTiming> profile_step(int32_t token, int32_t pos) = 0;
  // Copies n floats of backend memory (an activation an observer was shown) to the host.
  virtual void read(const float* src, size_t n, float* dst) = 0;
  // Logits of the last step, copied to the host.
  virtual void logits(std::vector<float>& out) = 0;
  virtual Backend backend() const = 0;
  virtual const Bindings& bindings() const = 0;
  virtual int32_t max_ctx() const = 0;
  // Sees every slot call of the following steps (taps, per-slot timing); nullptr to stop.
  virtual void set_observer(StepObserver* observer) = 0;
  virtual size_t calls_per_step() const = 0;
};

// Builds an engine; throws PlanError when the plan does not fit, std::runtime_error when the
// backend is unavailable (no GPU, or built without CUDA).
std::unique_ptr<Engine> make_engine(Backend backend, const LlamaModel& model, const Plan& plan,
                                    const EngineOptions& options);

// True when this build has the CUDA backend and a device is visible.
bool cuda_available(std::string* why_not = nullptr);

std::unique_ptr<Engine> make_cpu_engine(const LlamaModel&, const Plan&, const EngineOptions&);
#ifdef SWAPBENCH_HAVE_CUDA
std::unique_ptr<Engine> make_cuda_engine(const LlamaModel&, const Plan&, const EngineOptions&);
#endif

}  // namespace swapbench
