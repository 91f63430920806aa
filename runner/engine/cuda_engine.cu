// The CUDA engine: weights uploaded once in their GGUF formats, activations and an f32 KV cache
// on the device, and the step captured once as a CUDA graph (or launched eagerly).
//
// KV cache precision: f32, the precision of the CPU reference, so the reference plan matches
// the CPU engine to float rounding. At 4k positions it costs llama-8b 32 MiB per layer; an f16
// cache would halve that traffic and is a future variant of the attention slots.
#include <cuda_runtime.h>

#include <map>
#include <stdexcept>

#include "kernels/common/cuda_check.h"
#include "kernels/common/launch.cuh"
#include "kernels/common/rope_table.h"
#include "runner/engine/engine.h"
#include "runner/engine/nvtx_observer.h"
#include "runner/engine/slot_timing.h"

namespace swapbench {
namespace {

// Feeds the step's argmax to the next step on the device: token = next, history[pos] = next,
// pos += 1. Part of the captured graph, so chained replays need no host round trip.
__global__ void advance_kernel(int32_t* token, int32_t* pos, const int32_t* next,
                               int32_t* history) {
  sb_grid_wait();
  sb_grid_launch_dependents();
  const int32_t p = *pos;
  history[p] = *next;
  *token = *next;
  *pos = p + 1;
}

class CudaEngine final : public Engine {
 public:
  CudaEngine(const LlamaModel& m, const Plan& plan, const EngineOptions& o)
      : model_(m),
        bindings_(plan, Backend::cuda),
        max_ctx_(std::min(o.max_ctx, m.config().context)),
        graphs_(o.graphs),
        pdl_(o.pdl),
        step_(m.config(), m.layers(), m.token_embd(), m.output(), max_ctx_, bindings_) {
    step_.set_hollow(o.hollow);
    SB_CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
    upload_weights();
    allocate_buffers();
  }

  ~CudaEngine() override {
    for (cudaEvent_t e : events_) cudaEventDestroy(e);
    for (cudaEvent_t e : profile_events_) cudaEventDestroy(e);
    if (graph_exec_) cudaGraphExecDestroy(graph_exec_);
    if (stream_) cudaStreamDestroy(stream_);
    for (void* p : allocations_) cudaFree(p);
    if (host_io_) cudaFreeHost(host_io_);
  }

  int32_t step(int32_t token, int32_t pos) override {
    check_position(token, pos, 1);
    set_inputs(token, pos);
    launch_step();
    SB_CUDA_CHECK(cudaMemcpyAsync(&host_io_[2], b_.next, sizeof(int32_t),
                                  cudaMemcpyDeviceToHost, stream_));
    SB_CUDA_CHECK(cudaStreamSynchronize(stream_));
    return host_io_[2];
  }

  std::vector<int32_t> step_chain(int32_t token, int32_t pos, int32_t n) override {
    check_position(token, pos, n);
    set_inputs(token, pos);
    for (int32_t i = 0; i < n; ++i) launch_step();
    std::vector<int32_t> out(static_cast<size_t>(n));
    SB_CUDA_CHECK(cudaMemcpyAsync(out.data(), history_ + pos, sizeof(int32_t) * size_t(n),
                                  cudaMemcpyDeviceToHost, stream_));
    SB_CUDA_CHECK(cudaStreamSynchronize(stream_));
    return out;
  }

  std::vector<double> timed_chain(int32_t token, int32_t pos, int32_t n,
                                  std::vector<int32_t>* tokens) override {
    check_position(token, pos, n);
    while (events_.size() < size_t(n) + 1) {
      cudaEvent_t e;
      SB_CUDA_CHECK(cudaEventCreate(&e));
      events_.push_back(e);
    }
    set_inputs(token, pos);
    SB_CUDA_CHECK(cudaEventRecord(events_[0], stream_));
    for (int32_t i = 0; i < n; ++i) {
      launch_step();
      SB_CUDA_CHECK(cudaEventRecord(events_[size_t(i) + 1], stream_));
    }
    SB_CUDA_CHECK(cudaEventSynchronize(events_[size_t(n)]));
    std::vector<double> ms(static_cast<size_t>(n));
    for (int32_t i = 0; i < n; ++i) {
      float t = 0;
      SB_CUDA_CHECK(cudaEventElapsedTime(&t, events_[size_t(i)], events_[size_t(i) + 1]));
      ms[size_t(i)] = t;
    }
    if (tokens) {
      tokens->resize(size_t(n));
      SB_CUDA_CHECK(cudaMemcpy(tokens->data(), history_ + pos, sizeof(int32_t) * size_t(n),
                               cudaMemcpyDeviceToHost));
    }
    return ms;
  }

  std::vector<SlotTiming> profile_step(int32_t token, int32_t pos) override {
    // Events around every launch of an eager step (graphs off for this one step).
    struct Timer final : StepObserver {
      cudaStream_t stream;
      std::vector<cudaEvent_t>* pool;
      std::vector<SlotTiming> calls;
      size_t next = 0;
      cudaEvent_t event() {
        if (next == pool->size()) {
          cudaEvent_t e;
          SB_CUDA_CHECK(cudaEventCreate(&e));
          pool->push_back(e);
        }
        return (*pool)[next++];
      }
      void before(const SlotCall&) override { SB_CUDA_CHECK(cudaEventRecord(event(), stream)); }
      void after(const SlotCall& c) override {
        SB_CUDA_CHECK(cudaEventRecord(event(), stream));
        calls.push_back(slot_timing(c, 0.0));
      }
    } timer;
    timer.stream = stream_;
    timer.pool = &profile_events_;
    check_position(token, pos, 1);
    StepObserver* saved = observer_;
    observer_ = &timer;
    try {
      set_inputs(token, pos);
      launch_step();
    } catch (...) {
      observer_ = saved;
      throw;
    }
    observer_ = saved;
    SB_CUDA_CHECK(cudaStreamSynchronize(stream_));
    for (size_t i = 0; i < timer.calls.size(); ++i) {
      float t = 0;
      SB_CUDA_CHECK(cudaEventElapsedTime(&t, profile_events_[2 * i], profile_events_[2 * i + 1]));
      timer.calls[i].ms = t;
    }
    return std::move(timer.calls);
  }

  void read(const float* src, size_t n, float* dst) override {
    SB_CUDA_CHECK(cudaMemcpyAsync(dst, src, n * sizeof(float), cudaMemcpyDeviceToHost, stream_));
    SB_CUDA_CHECK(cudaStreamSynchronize(stream_));
  }

  void logits(std::vector<float>& out) override {
    out.resize(size_t(model_.config().vocab));
    SB_CUDA_CHECK(cudaMemcpyAsync(out.data(), b_.logits, out.size() * sizeof(float),
                                  cudaMemcpyDeviceToHost, stream_));
    SB_CUDA_CHECK(cudaStreamSynchronize(stream_));
  }

  Backend backend() const override { return Backend::cuda; }
  const Bindings& bindings() const override { return bindings_; }
  int32_t max_ctx() const override { return max_ctx_; }
  size_t calls_per_step() const override { return step_.calls_per_step(); }
  void set_observer(StepObserver* observer) override {
    // An observer sees launches as they are issued: only eager steps issue them each time.
    observer_ = observer;
  }

 private:
  void check_position(int32_t token, int32_t pos, int32_t n) const {
    if (pos < 0 || pos + n > max_ctx_)
      throw std::out_of_range("positions " + std::to_string(pos) + ".." +
                              std::to_string(pos + n - 1) + " outside the KV cache (" +
                              std::to_string(max_ctx_) + ")");
    if (token < 0 || token >= model_.config().vocab)
      throw std::out_of_range("token id " + std::to_string(token) + " outside the vocabulary");
  }

  void* device_alloc(size_t bytes) {
    void* p = nullptr;
    SB_CUDA_CHECK(cudaMalloc(&p, bytes == 0 ? 1 : bytes));
    allocations_.push_back(p);
    return p;
  }

  template <class T>
  T* device_array(size_t n) {
    return static_cast<T*>(device_alloc(n * sizeof(T)));
  }

  const void* upload(const void* host, uint64_t bytes) {
    if (auto it = uploaded_.find(host); it != uploaded_.end()) return it->second;  // tied output
    // Rounded up to 16 bytes: matvec loaders read whole aligned 8-byte words around the last
    // block, which must stay inside the allocation.
    void* d = device_alloc((bytes + 15) / 16 * 16);
    SB_CUDA_CHECK(cudaMemcpy(d, host, bytes, cudaMemcpyHostToDevice));
    uploaded_[host] = d;
    return d;
  }
  StepWeights::Matrix upload(const TensorRef& t) { return {upload(t.data, t.bytes), t.type}; }
  const float* upload(const std::vector<float>& v) {
    return static_cast<const float*>(upload(v.data(), v.size() * sizeof(float)));
  }

  void upload_weights() {
    w_.embd = upload(model_.token_embd());
    w_.output = upload(model_.output());
    w_.out_norm = upload(model_.output_norm());
    for (const LayerTensors& L : model_.layers()) {
      StepWeights::Layer wl;
      wl.attn_norm = upload(L.attn_norm);
      wl.ffn_norm = upload(L.ffn_norm);
      wl.wq = upload(L.wq);
      wl.wk = upload(L.wk);
      wl.wv = upload(L.wv);
      wl.wo = upload(L.wo);
      wl.w_gate = upload(L.w_gate);
      wl.w_up = upload(L.w_up);
      wl.w_down = upload(L.w_down);
      w_.layers.push_back(wl);
    }
  }

  void allocate_buffers() {
    const LlamaConfig& c = model_.config();
    const size_t dim = size_t(c.dim), kv = size_t(c.n_kv_heads) * size_t(c.head_dim);
    const size_t ffn = size_t(c.ffn_dim);
    b_.x = device_array<float>(dim);
    b_.xn = device_array<float>(dim);
    b_.q = device_array<float>(dim);
    b_.att = device_array<float>(dim);
    b_.k = device_array<float>(kv);
    b_.v = device_array<float>(kv);
    b_.gate = device_array<float>(ffn);
    b_.up = device_array<float>(ffn);
    b_.act = device_array<float>(ffn);
    b_.logits = device_array<float>(size_t(c.vocab));
    for (int32_t l = 0; l < c.n_layers; ++l) {
      b_.k_cache.push_back(device_array<float>(size_t(max_ctx_) * kv));
      b_.v_cache.push_back(device_array<float>(size_t(max_ctx_) * kv));
      // Unwritten cache rows are never read (attention stops at pos), but NaN makes any such
      // bug loud instead of silently reading zeros.
      SB_CUDA_CHECK(cudaMemset(b_.k_cache.back(), 0xff, size_t(max_ctx_) * kv * sizeof(float)));
      SB_CUDA_CHECK(cudaMemset(b_.v_cache.back(), 0xff, size_t(max_ctx_) * kv * sizeof(float)));
    }
    b_.workspace = step_.workspace_bytes() ? device_alloc(step_.workspace_bytes()) : nullptr;
    if (const size_t z = step_.zeroed_bytes()) {  // zero once: every call leaves it zero
      b_.zeroed = device_alloc(z);
      SB_CUDA_CHECK(cudaMemset(b_.zeroed, 0, z));
    }
    // rope's angles for every cache position, once: attn_in variants load them instead of
    // computing powf and sincosf on their critical path (kernels/common/rope_table.h). The table
    // holds whole pairs; a model without rope or with an odd rope dimension keeps the inline path.
    if (c.rot_dim > 0 && c.rot_dim % 2 == 0) {
      float* rope = device_array<float>(size_t(max_ctx_) * size_t(c.rot_dim));
      fill_rope_table(rope, max_ctx_, c.rot_dim, c.rope_base, stream_);
      b_.rope_table = rope;
    }
    b_.token = device_array<int32_t>(1);
    b_.pos = device_array<int32_t>(1);
    b_.next = device_array<int32_t>(1);
    // A valid token before any argmax ran: a hollow argmax (ablate) never writes one, and the
    // advance feeds it to the embedding.
    SB_CUDA_CHECK(cudaMemset(b_.next, 0, sizeof(int32_t)));
    history_ = device_array<int32_t>(size_t(max_ctx_) + 1);
    SB_CUDA_CHECK(cudaMallocHost(&host_io_, 4 * sizeof(int32_t)));
    // The memsets above may still run on the legacy stream, which stream_ (non-blocking) does not
    // wait for: the zeroed memory must be zero before the first step reads a counter.
    SB_CUDA_CHECK(cudaDeviceSynchronize());
  }

  void set_inputs(int32_t token, int32_t pos) {
    host_io_[0] = token;
    host_io_[1] = pos;
    SB_CUDA_CHECK(cudaMemcpyAsync(b_.token, &host_io_[0], sizeof(int32_t),
                                  cudaMemcpyHostToDevice, stream_));
    SB_CUDA_CHECK(cudaMemcpyAsync(b_.pos, &host_io_[1], sizeof(int32_t),
                                  cudaMemcpyHostToDevice, stream_));
  }

  // The whole step plus the on-device advance, issued on stream_.
  void issue_step(StepObserver* observer) {
    nvtx_.begin_step(observer);
    step_.run(b_, w_, stream_, &nvtx_, pdl_);
    const LaunchCtx ctx{stream_, nullptr, nullptr, pdl_};
    launch_kernel("engine.advance", advance_kernel, 1, 1, 0, ctx, b_.token, b_.pos, b_.next,
                  history_);
  }

  // Every step ends with advance_kernel; for a single step() the advance is harmless (the next
  // call sets token and pos again), and one graph serves both uses.
  void launch_step() {
    if (!graphs_ || observer_) {
      issue_step(observer_);
      return;
    }
    if (!graph_exec_) capture();
    SB_CUDA_CHECK(cudaGraphLaunch(graph_exec_, stream_));
  }

  void capture() {
    // Global capture mode: an allocation or synchronisation inside the step is an error here,
    // which is how "no allocation, no host sync in a step" is enforced for every variant.
    cudaGraph_t graph = nullptr;
    SB_CUDA_CHECK(cudaStreamBeginCapture(stream_, cudaStreamCaptureModeGlobal));
    try {
      issue_step(nullptr);
    } catch (...) {
      cudaStreamEndCapture(stream_, &graph);
      if (graph) cudaGraphDestroy(graph);
      throw;
    }
    SB_CUDA_CHECK(cudaStreamEndCapture(stream_, &graph));
    SB_CUDA_CHECK(cudaGraphInstantiate(&graph_exec_, graph, 0));
    SB_CUDA_CHECK(cudaGraphDestroy(graph));
  }

  const LlamaModel& model_;
  Bindings bindings_;
  int32_t max_ctx_;
  bool graphs_;
  bool pdl_;  // programmatic dependent launch between the step's kernels (captured as graph edges)
  LlamaStep step_;
  cudaStream_t stream_ = nullptr;
  cudaGraphExec_t graph_exec_ = nullptr;
  StepBuffers b_;
  StepWeights w_;
  int32_t* history_ = nullptr;
  int32_t* host_io_ = nullptr;  // pinned: token, pos, next
  std::vector<void*> allocations_;
  std::vector<cudaEvent_t> events_;  // timed_chain's step boundaries, created once
  std::vector<cudaEvent_t> profile_events_;  // profile_step's per-launch pairs
  std::map<const void*, void*> uploaded_;
  StepObserver* observer_ = nullptr;
  NvtxStepObserver nvtx_;
};

}  // namespace

bool cuda_available(std::string* why_not) {
  int n = 0;
  const cudaError_t err = cudaGetDeviceCount(&n);
  if (err != cudaSuccess || n == 0) {
    if (why_not)
      *why_not = err != cudaSuccess ? std::string("no CUDA device (") + cudaGetErrorString(err) + ")"
                                    : "no CUDA device";
    cudaGetLastError();  // clear the sticky-free error so later calls start clean
    return false;
  }
  return true;
}

std::unique_ptr<Engine> make_cuda_engine(const LlamaModel& m, const Plan& p,
                                         const EngineOptions& o) {
  return std::make_unique<CudaEngine>(m, p, o);
}

}  // namespace swapbench
