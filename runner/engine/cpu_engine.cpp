// The CPU engine: the step over host memory with CPU variants. It is the definition of
// correct for every other engine, and lets the whole flow run on a machine with no GPU.
#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "runner/engine/engine.h"
#include "runner/engine/slot_timing.h"

namespace swapbench {
namespace {

class CpuEngine final : public Engine {
 public:
  CpuEngine(const LlamaModel& m, const Plan& plan, const EngineOptions& o)
      : model_(m),
        bindings_(plan, Backend::cpu),
        max_ctx_(std::min(o.max_ctx, m.config().context)),
        step_(m.config(), m.layers(), m.token_embd(), m.output(), max_ctx_, bindings_) {
    step_.set_hollow(o.hollow);
    const LlamaConfig& c = m.config();
    const size_t dim = size_t(c.dim), kv = size_t(c.n_kv_heads) * size_t(c.head_dim);
    const size_t ffn = size_t(c.ffn_dim);
    act_.resize(dim * 4 + kv * 2 + ffn * 3);
    float* p = act_.data();
    auto take = [&](size_t n) {
      float* r = p;
      p += n;
      return r;
    };
    b_.x = take(dim);
    b_.xn = take(dim);
    b_.q = take(dim);
    b_.att = take(dim);
    b_.k = take(kv);
    b_.v = take(kv);
    b_.gate = take(ffn);
    b_.up = take(ffn);
    b_.act = take(ffn);
    logits_.resize(size_t(c.vocab));
    b_.logits = logits_.data();
    cache_.resize(size_t(c.n_layers) * 2 * size_t(max_ctx_) * kv);
    for (int32_t l = 0; l < c.n_layers; ++l) {
      b_.k_cache.push_back(cache_.data() + (size_t(l) * 2) * size_t(max_ctx_) * kv);
      b_.v_cache.push_back(cache_.data() + (size_t(l) * 2 + 1) * size_t(max_ctx_) * kv);
    }
    workspace_.resize(step_.workspace_bytes());
    b_.workspace = workspace_.data();
    zeroed_.assign(step_.zeroed_bytes(), 0);
    b_.zeroed = zeroed_.data();
    b_.token = &token_;
    b_.pos = &pos_;
    b_.next = &next_;

    w_.embd = {m.token_embd().data, m.token_embd().type};
    w_.output = {m.output().data, m.output().type};
    w_.out_norm = m.output_norm().data();
    for (const LayerTensors& L : m.layers()) {
      StepWeights::Layer wl;
      wl.attn_norm = L.attn_norm.data();
      wl.ffn_norm = L.ffn_norm.data();
      wl.wq = {L.wq.data, L.wq.type};
      wl.wk = {L.wk.data, L.wk.type};
      wl.wv = {L.wv.data, L.wv.type};
      wl.wo = {L.wo.data, L.wo.type};
      wl.w_gate = {L.w_gate.data, L.w_gate.type};
      wl.w_up = {L.w_up.data, L.w_up.type};
      wl.w_down = {L.w_down.data, L.w_down.type};
      w_.layers.push_back(wl);
    }
  }

  int32_t step(int32_t token, int32_t pos) override {
    if (pos < 0 || pos >= max_ctx_)
      throw std::out_of_range("position " + std::to_string(pos) + " outside the KV cache (" +
                              std::to_string(max_ctx_) + ")");
    if (token < 0 || token >= model_.config().vocab)
      throw std::out_of_range("token id " + std::to_string(token) + " outside the vocabulary");
    token_ = token;
    pos_ = pos;
    step_.run(b_, w_, nullptr, observer_);
    return next_;
  }

  std::vector<int32_t> step_chain(int32_t token, int32_t pos, int32_t n) override {
    std::vector<int32_t> out;
    for (int32_t i = 0; i < n; ++i) out.push_back(token = step(token, pos + i));
    return out;
  }

  std::vector<double> timed_chain(int32_t token, int32_t pos, int32_t n,
                                  std::vector<int32_t>* tokens) override {
    std::vector<double> ms;
    for (int32_t i = 0; i < n; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      token = step(token, pos + i);
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      if (tokens) tokens->push_back(token);
    }
    return ms;
  }

  std::vector<SlotTiming> profile_step(int32_t token, int32_t pos) override {
    struct Timer final : StepObserver {
      std::chrono::steady_clock::time_point t0;
      std::vector<SlotTiming> out;
      void before(const SlotCall&) override { t0 = std::chrono::steady_clock::now(); }
      void after(const SlotCall& c) override {
        out.push_back(slot_timing(
            c, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count()));
      }
    } timer;
    StepObserver* saved = observer_;
    observer_ = &timer;
    try {
      step(token, pos);
    } catch (...) {
      observer_ = saved;
      throw;
    }
    observer_ = saved;
    return std::move(timer.out);
  }

  void read(const float* src, size_t n, float* dst) override { std::copy(src, src + n, dst); }

  void logits(std::vector<float>& out) override { out = logits_; }
  Backend backend() const override { return Backend::cpu; }
  const Bindings& bindings() const override { return bindings_; }
  int32_t max_ctx() const override { return max_ctx_; }
  void set_observer(StepObserver* observer) override { observer_ = observer; }
  size_t calls_per_step() const override { return step_.calls_per_step(); }

 private:
  const LlamaModel& model_;
  Bindings bindings_;
  int32_t max_ctx_;
  LlamaStep step_;
  std::vector<float> act_, logits_, cache_;
  std::vector<uint8_t> workspace_;
  std::vector<uint8_t> zeroed_;  // LaunchCtx::zeroed: zero once, left zero by every call
  StepBuffers b_;
  StepWeights w_;
  int32_t token_ = 0, pos_ = 0, next_ = 0;
  StepObserver* observer_ = nullptr;
};

}  // namespace

std::unique_ptr<Engine> make_cpu_engine(const LlamaModel& m, const Plan& p,
                                        const EngineOptions& o) {
  return std::make_unique<CpuEngine>(m, p, o);
}

std::unique_ptr<Engine> make_engine(Backend backend, const LlamaModel& model, const Plan& plan,
                                    const EngineOptions& options) {
  if (backend == Backend::cpu) return make_cpu_engine(model, plan, options);
#ifdef SWAPBENCH_HAVE_CUDA
  std::string why;
  if (!cuda_available(&why)) throw std::runtime_error("CUDA backend unavailable: " + why);
  return make_cuda_engine(model, plan, options);
#else
  throw std::runtime_error("this swapbench was built without CUDA (SWAPBENCH_CUDA=OFF or no nvcc)");
#endif
}

#ifndef SWAPBENCH_HAVE_CUDA
bool cuda_available(std::string* why_not) {
  if (why_not) *why_not = "built without CUDA";
  return false;
}
#endif

}  // namespace swapbench
