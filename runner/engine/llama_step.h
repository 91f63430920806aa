// One llama decode step as a fixed sequence of slot calls, shared by every backend.
//
// Per layer: attn_norm, wq, wk, wv, rope | attn | wo (+residual) | ffn_norm, gate/up, swiglu |
// down (+residual). A plan that names a variant of a fused slot replaces a whole group: attn_in
// the first five calls, ffn_in the norm, gate/up and swiglu, wo_ffn_in wo and all of those
// (kernels/attn_in, kernels/ffn_in, kernels/wo_ffn_in).
//
// The step reads the token and the position from memory (buffers.token, buffers.pos), never
// from host arguments, branches on nothing that changes between steps and allocates nothing:
// the CUDA engine captures it once as a graph and replays it at every position.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "runner/model/llama_model.h"
#include "runner/plan.h"

namespace swapbench {

// Activations and KV cache, in the backend's memory (host for cpu, device for cuda).
struct StepBuffers {
  int32_t* token = nullptr;  // input token of this step
  int32_t* pos = nullptr;    // its position
  int32_t* next = nullptr;   // greedy argmax, written by the step
  float *x = nullptr, *xn = nullptr, *q = nullptr, *k = nullptr, *v = nullptr, *att = nullptr;
  float *gate = nullptr, *up = nullptr, *act = nullptr, *logits = nullptr;
  std::vector<float*> k_cache, v_cache;  // per layer, max_ctx rows of kv_heads * head_dim
  void* workspace = nullptr;             // LlamaStep::workspace_bytes()
  void* zeroed = nullptr;  // LlamaStep::zeroed_bytes(), zero before the first step (LaunchCtx)
  const float* rope_table = nullptr;  // max_ctx positions (kernels/common/rope_table.h), or none
};

// Weights, in the backend's memory.
struct StepWeights {
  struct Matrix {
    const void* data = nullptr;
    DType type = DType::f32;
  };
  struct Layer {
    const float* attn_norm = nullptr;
    const float* ffn_norm = nullptr;
    Matrix wq, wk, wv, wo, w_gate, w_up, w_down;
  };
  Matrix embd, output;
  const float* out_norm = nullptr;
  std::vector<Layer> layers;
};

// What an observer sees of each slot call: enough to time it, tap its output, name it.
struct SlotCall {
  const std::string* slot;  // "matvec.q4_1"
  const char* site;         // role in the step: "wq", "attn_norm", "ffn_gate_up", ...
  int32_t layer;            // -1 outside the layers
  const Binding* binding;
  const float* out;  // the slot's output (first output for pairs)
  int64_t out_n;
  const Shape* shape;  // the call's shape (bytes moved: binding->variant->info.bytes)
};

class StepObserver {
 public:
  virtual ~StepObserver() = default;
  virtual void before(const SlotCall&) {}
  virtual void after(const SlotCall&) {}
};

class LlamaStep {
 public:
  // Binds every call site of the step for `bindings`' backend; throws PlanError (via
  // bindings.check()) when the plan cannot serve this model.
  LlamaStep(const LlamaConfig& cfg, const std::vector<LayerTensors>& layers, const TensorRef& embd,
            const TensorRef& output, int32_t max_ctx, Bindings& bindings);

  // Issues the step's slot calls in order. `stream` and `pdl` (CUDA: programmatic dependent
  // launch, see kernels/common/launch.cuh) go to every launcher.
  void run(const StepBuffers& b, const StepWeights& w, void* stream,
           StepObserver* observer = nullptr, bool pdl = false) const;

  // The step's slot calls in launch order, listed without launching anything (each SlotCall's
  // `out` is null here): which roles the step has, and what each moves.
  std::vector<SlotCall> calls() const;

  // `ablate`: the calls whose role (SlotCall::site: "attn", "ffn_down", ...) is listed launch an
  // empty kernel of their grid instead of their work (LaunchCtx::hollow) from the next run() on;
  // their outputs are left as they were. Throws std::invalid_argument for a role no call of this
  // step has, naming the roles it has. An empty list makes every call whole again.
  void set_hollow(const std::vector<std::string>& roles);

  // Scratch shared by the launches: the most any launched site's variant declares.
  size_t workspace_bytes() const { return workspace_; }
  // Memory kept zero between calls (LaunchCtx::zeroed): the most any launched site declares.
  size_t zeroed_bytes() const { return zeroed_; }
  size_t calls_per_step() const;  // slot launches per step

 private:
  struct Site {
    std::string slot;
    const Binding* binding;
    Shape shape;
  };
  struct LayerSites {
    Site attn_norm, wq, wk, wv, rope, attn, wo, ffn_norm, gate_up, gate, up, swiglu, down;
    Site attn_in, ffn_in, wo_ffn;  // the fused slots, bound when the weight types allow them
    bool paired;           // gate and up share a type: one matvec_pair call
    bool fuse_attn;        // the plan chose a non-reference attn_in variant: one call replaces five
    bool fuse_ffn;         // likewise ffn_in: one call replaces norm, gate/up and swiglu
    bool fuse_wo_ffn;      // likewise wo_ffn_in: one call replaces wo and the FFN's input side
  };
  // Where run() sends its calls: calls() lists them without launching (launch = false).
  struct CallEnv {
    void* stream;
    const StepBuffers& b;
    StepObserver* obs;
    bool pdl;
    bool launch;
  };
  void issue(const StepBuffers& b, const StepWeights& w, const CallEnv& env) const;
  template <class Args>
  void call(const Site& site, const Args& args, const char* role, int32_t layer, const float* out,
            int64_t out_n, const CallEnv& env) const;
  Site site(Bindings& b, const std::string& slot, const Shape& s);
  // The sites of one layer that run() launches, in order (the fused slot or the calls it
  // replaces); calls_per_step and the workspace size count these and nothing else.
  static std::vector<const Site*> layer_calls(const LayerSites& s);
  void need_workspace(const Site& s);  // workspace_ and zeroed_ cover this launched site
  // Binds a fused slot's site; true when the bound variant is not the slot's reference, i.e.
  // the step calls it instead of the separate slots it stands for.
  bool fused_site(Bindings& b, const std::string& slot, const Shape& s, Site& out);
  void attn_input(const LayerSites& s, int32_t layer, const StepWeights::Layer& L,
                  const StepBuffers& b, const CallEnv& env) const;
  void ffn_input(const LayerSites& s, int32_t layer, const StepWeights::Layer& L,
                 const StepBuffers& b, const CallEnv& env) const;

  LlamaConfig cfg_;
  int32_t max_ctx_;
  Site embed_, out_norm_, output_, argmax_;
  std::vector<LayerSites> layers_;
  size_t workspace_ = 0;
  size_t zeroed_ = 0;
  std::set<std::string> hollow_;  // set_hollow
};

}  // namespace swapbench
