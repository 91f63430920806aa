// The llama decode step: embedding, per layer attention and FFN blocks, output head, argmax.
#include "runner/engine/llama_step.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "kernels/argmax/argmax.h"
#include "kernels/attn_decode/attn_decode.h"
#include "kernels/attn_in/attn_in.h"
#include "kernels/embed/embed.h"
#include "kernels/ffn_in/ffn_in.h"
#include "kernels/matvec/matvec.h"
#include "kernels/matvec_pair/matvec_pair.h"
#include "kernels/matvec_residual/matvec_residual.h"
#include "kernels/rmsnorm/rmsnorm.h"
#include "kernels/rope/rope.h"
#include "kernels/swiglu/swiglu.h"
#include "kernels/wo_ffn_in/wo_ffn_in.h"

namespace swapbench {
namespace {

Shape vec(int64_t n) { return {.cols = n}; }
Shape mat(const TensorRef& t) { return {.rows = t.rows, .cols = t.cols}; }

}  // namespace

// One slot call: the observer sees it, and unless the step is only being listed (calls()) the
// variant launches, hollow (LaunchCtx::hollow) where its role is in hollow_. A hollow call of a
// CPU variant does nothing: there is no kernel boundary to keep.
template <class Args>
void LlamaStep::call(const Site& site, const Args& args, const char* role, int32_t layer,
                     const float* out, int64_t out_n, const CallEnv& env) const {
  const Binding& b = *site.binding;
  const SlotCall c{&site.slot, role, layer, &b, out, out_n, &site.shape};
  if (env.obs) env.obs->before(c);
  // Only when ablating: a set lookup by a new string per call would cost every eager launch.
  const bool hollow = !hollow_.empty() && hollow_.count(role) > 0;
  if (env.launch && !(hollow && b.variant->info.backend == Backend::cpu)) {
    LaunchCtx ctx{env.stream, env.b.workspace, &b.params, env.pdl, env.b.zeroed};
    ctx.hollow = hollow;
    b.variant->launch(args, ctx);
  }
  if (env.obs) env.obs->after(c);
}

LlamaStep::Site LlamaStep::site(Bindings& b, const std::string& slot, const Shape& s) {
  return {slot, &b.bind(slot, s), s};
}

void LlamaStep::need_workspace(const Site& s) {
  if (!s.binding->variant) return;
  workspace_ = std::max(workspace_, s.binding->variant->info.workspace_bytes(s.shape));
  zeroed_ = std::max(zeroed_, s.binding->variant->info.zeroed_bytes(s.shape));
}

std::vector<const LlamaStep::Site*> LlamaStep::layer_calls(const LayerSites& s) {
  std::vector<const Site*> calls;
  if (s.fuse_attn)
    calls = {&s.attn_in};
  else
    calls = {&s.attn_norm, &s.wq, &s.wk, &s.wv, &s.rope};
  calls.push_back(&s.attn);
  if (s.fuse_wo_ffn) {
    calls.push_back(&s.wo_ffn);
  } else {
    calls.push_back(&s.wo);
    if (s.fuse_ffn)
      calls.push_back(&s.ffn_in);
    else if (s.paired)
      calls.insert(calls.end(), {&s.ffn_norm, &s.gate_up, &s.swiglu});
    else
      calls.insert(calls.end(), {&s.ffn_norm, &s.gate, &s.up, &s.swiglu});
  }
  calls.push_back(&s.down);
  return calls;
}

bool LlamaStep::fused_site(Bindings& b, const std::string& slot, const Shape& s, Site& out) {
  out = site(b, slot, s);
  const Variant* v = out.binding->variant;
  return v && v->info.name != Registry::instance().slot(slot)->reference(b.backend());
}

LlamaStep::LlamaStep(const LlamaConfig& cfg, const std::vector<LayerTensors>& layers,
                     const TensorRef& embd, const TensorRef& output, int32_t max_ctx,
                     Bindings& bindings)
    : cfg_(cfg), max_ctx_(max_ctx) {
  const Shape attn{.heads = cfg.n_heads,
                   .kv_heads = cfg.n_kv_heads,
                   .head_dim = cfg.head_dim,
                   .max_ctx = max_ctx};
  embed_ = site(bindings, "embed", vec(cfg.dim));
  for (const LayerTensors& L : layers) {
    LayerSites s;
    s.attn_norm = site(bindings, "rmsnorm", vec(cfg.dim));
    s.wq = site(bindings, matvec::slot_key("matvec", L.wq.type), mat(L.wq));
    s.wk = site(bindings, matvec::slot_key("matvec", L.wk.type), mat(L.wk));
    s.wv = site(bindings, matvec::slot_key("matvec", L.wv.type), mat(L.wv));
    s.rope = site(bindings, "rope", attn);
    s.attn = site(bindings, "attn_decode", attn);
    s.wo = site(bindings, matvec::slot_key("matvec_residual", L.wo.type), mat(L.wo));
    s.ffn_norm = site(bindings, "rmsnorm", vec(cfg.dim));
    s.paired = L.w_gate.type == L.w_up.type;
    if (s.paired) {
      Shape pair = mat(L.w_gate);
      pair.rows2 = L.w_up.rows;
      s.gate_up = site(bindings, matvec::slot_key("matvec_pair", L.w_gate.type), pair);
    } else {
      s.gate = site(bindings, matvec::slot_key("matvec", L.w_gate.type), mat(L.w_gate));
      s.up = site(bindings, matvec::slot_key("matvec", L.w_up.type), mat(L.w_up));
    }
    s.swiglu = site(bindings, "swiglu", vec(cfg.ffn_dim));
    s.down = site(bindings, matvec::slot_key("matvec_residual", L.w_down.type), mat(L.w_down));
    // The fused slots exist per weight type, so they serve layers whose matrices share one.
    s.fuse_attn = L.wq.type == L.wk.type && L.wq.type == L.wv.type &&
                  fused_site(bindings, matvec::slot_key("attn_in", L.wq.type),
                             {.rows = L.wq.rows,
                              .rows2 = L.wk.rows,
                              .cols = cfg.dim,
                              .heads = cfg.n_heads,
                              .kv_heads = cfg.n_kv_heads,
                              .head_dim = cfg.head_dim,
                              .max_ctx = max_ctx},
                             s.attn_in);
    s.fuse_ffn =
        s.paired &&
        fused_site(bindings, matvec::slot_key("ffn_in", L.w_gate.type),
                   {.rows = L.w_gate.rows, .rows2 = L.w_up.rows, .cols = cfg.dim}, s.ffn_in);
    s.fuse_wo_ffn =
        s.paired && L.wo.type == L.w_gate.type &&
        fused_site(bindings, matvec::slot_key("wo_ffn_in", L.w_gate.type),
                   {.rows = L.w_gate.rows, .rows2 = L.w_up.rows, .cols = cfg.dim}, s.wo_ffn);
    // Only the sites the step launches: a bound but skipped site (the fused slot's reference, or
    // the separate calls a fused variant replaces) never runs, so its scratch is not allocated.
    for (const Site* c : layer_calls(s)) need_workspace(*c);
    layers_.push_back(s);
  }
  out_norm_ = site(bindings, "rmsnorm", vec(cfg.dim));
  output_ = site(bindings, matvec::slot_key("matvec", output.type), mat(output));
  argmax_ = site(bindings, "argmax", vec(cfg.vocab));
  for (const Site* c : {&embed_, &out_norm_, &output_, &argmax_}) need_workspace(*c);
  (void)embd;
  bindings.check();
}

size_t LlamaStep::calls_per_step() const {
  size_t n = 4;  // embed, output norm, output matvec, argmax
  for (const LayerSites& s : layers_) n += layer_calls(s).size();
  return n;
}

void LlamaStep::run(const StepBuffers& b, const StepWeights& w, void* stream, StepObserver* obs,
                    bool pdl) const {
  issue(b, w, CallEnv{stream, b, obs, pdl, true});
}

std::vector<SlotCall> LlamaStep::calls() const {
  struct Listing final : StepObserver {
    std::vector<SlotCall> calls;
    void before(const SlotCall& c) override { calls.push_back(c); }
  } listing;
  StepBuffers b;  // no memory: nothing launches, the arguments are only built
  b.k_cache.resize(layers_.size());
  b.v_cache.resize(layers_.size());
  StepWeights w;
  w.layers.resize(layers_.size());
  issue(b, w, CallEnv{nullptr, b, &listing, false, false});
  return listing.calls;
}

void LlamaStep::set_hollow(const std::vector<std::string>& roles) {
  std::set<std::string> known;
  std::string list;
  for (const SlotCall& c : calls())
    if (known.insert(c.site).second) list += (list.empty() ? "" : ", ") + std::string(c.site);
  for (const std::string& r : roles)
    if (!known.count(r))
      throw std::invalid_argument("no call of this step has the role '" + r +
                                  "' (its roles: " + list + ")");
  hollow_ = std::set<std::string>(roles.begin(), roles.end());
}

void LlamaStep::issue(const StepBuffers& b, const StepWeights& w, const CallEnv& env) const {
  const LlamaConfig& c = cfg_;
  call(embed_, embed::Args{w.embd.data, b.token, b.x, c.dim, w.embd.type}, "embed", -1, b.x, c.dim,
       env);
  for (int32_t l = 0; l < int32_t(layers_.size()); ++l) {
    const LayerSites& s = layers_[size_t(l)];
    const StepWeights::Layer& L = w.layers[size_t(l)];
    float* k_cache = b.k_cache[size_t(l)];
    float* v_cache = b.v_cache[size_t(l)];
    if (s.fuse_attn) {
      call(s.attn_in,
           attn_in::Args{b.x, L.attn_norm, c.eps, L.wq.data, L.wk.data, L.wv.data, b.q, k_cache,
                         v_cache, b.pos, c.dim, c.n_heads, c.n_kv_heads, c.head_dim, c.rot_dim,
                         c.rope_base, L.wq.type, b.rope_table},
           "attn_in", l, b.q, c.n_heads * c.head_dim, env);
    } else {
      attn_input(s, l, L, b, env);
    }
    call(s.attn,
         attn_decode::Args{b.q, k_cache, v_cache, b.att, b.pos, c.n_heads, c.n_kv_heads, c.head_dim,
                           max_ctx_},
         "attn", l, b.att, c.dim, env);
    if (s.fuse_wo_ffn) {
      call(s.wo_ffn,
           wo_ffn_in::Args{L.wo.data, b.att, b.x, L.ffn_norm, c.eps, L.w_gate.data, L.w_up.data,
                           b.act, c.ffn_dim, c.dim, L.w_gate.type},
           "wo_ffn_in", l, b.act, c.ffn_dim, env);
    } else {
      call(s.wo, matvec_residual::Args{L.wo.data, b.att, b.x, b.x, c.dim, c.dim, L.wo.type}, "wo",
           l, b.x, c.dim, env);
      ffn_input(s, l, L, b, env);
    }
    call(s.down,
         matvec_residual::Args{L.w_down.data, b.act, b.x, b.x, c.dim, c.ffn_dim, L.w_down.type},
         "ffn_down", l, b.x, c.dim, env);
  }
  call(out_norm_, rmsnorm::Args{b.x, w.out_norm, b.xn, c.dim, c.eps}, "output_norm", -1, b.xn,
       c.dim, env);
  call(output_, matvec::Args{w.output.data, b.xn, b.logits, c.vocab, c.dim, w.output.type},
       "output", -1, b.logits, c.vocab, env);
  call(argmax_, argmax::Args{b.logits, c.vocab, b.next}, "argmax", -1, nullptr, 0, env);
}

// The attention input side as separate slot calls: norm, Q, K and V, rope (+ cache write).
void LlamaStep::attn_input(const LayerSites& s, int32_t l, const StepWeights::Layer& L,
                           const StepBuffers& b, const CallEnv& env) const {
  const LlamaConfig& c = cfg_;
  const int32_t q_rows = c.n_heads * c.head_dim, kv = c.n_kv_heads * c.head_dim;
  call(s.attn_norm, rmsnorm::Args{b.x, L.attn_norm, b.xn, c.dim, c.eps}, "attn_norm", l, b.xn,
       c.dim, env);
  call(s.wq, matvec::Args{L.wq.data, b.xn, b.q, q_rows, c.dim, L.wq.type}, "wq", l, b.q, q_rows,
       env);
  call(s.wk, matvec::Args{L.wk.data, b.xn, b.k, kv, c.dim, L.wk.type}, "wk", l, b.k, kv, env);
  call(s.wv, matvec::Args{L.wv.data, b.xn, b.v, kv, c.dim, L.wv.type}, "wv", l, b.v, kv, env);
  call(s.rope,
       rope::Args{b.q, b.k, b.v, b.k_cache[size_t(l)], b.v_cache[size_t(l)], b.pos, c.n_heads,
                  c.n_kv_heads, c.head_dim, c.rot_dim, c.rope_base},
       "rope", l, b.q, q_rows, env);
}

// The FFN input side: the fused ffn_in call, or the separate slot calls: norm, gate and up
// (paired or not), swiglu.
void LlamaStep::ffn_input(const LayerSites& s, int32_t l, const StepWeights::Layer& L,
                          const StepBuffers& b, const CallEnv& env) const {
  const LlamaConfig& c = cfg_;
  if (s.fuse_ffn) {
    call(s.ffn_in,
         ffn_in::Args{b.x, L.ffn_norm, c.eps, L.w_gate.data, L.w_up.data, b.act, c.ffn_dim, c.dim,
                      L.w_gate.type},
         "ffn_in", l, b.act, c.ffn_dim, env);
    return;
  }
  call(s.ffn_norm, rmsnorm::Args{b.x, L.ffn_norm, b.xn, c.dim, c.eps}, "ffn_norm", l, b.xn, c.dim,
       env);
  if (s.paired) {
    call(s.gate_up,
         matvec_pair::Args{L.w_gate.data, L.w_up.data, b.xn, b.gate, b.up, c.ffn_dim, c.ffn_dim,
                           c.dim, L.w_gate.type},
         "ffn_gate_up", l, b.gate, c.ffn_dim, env);
  } else {
    call(s.gate, matvec::Args{L.w_gate.data, b.xn, b.gate, c.ffn_dim, c.dim, L.w_gate.type},
         "ffn_gate", l, b.gate, c.ffn_dim, env);
    call(s.up, matvec::Args{L.w_up.data, b.xn, b.up, c.ffn_dim, c.dim, L.w_up.type}, "ffn_up", l,
         b.up, c.ffn_dim, env);
  }
  call(s.swiglu, swiglu::Args{b.gate, b.up, b.act, c.ffn_dim}, "swiglu", l, b.act, c.ffn_dim, env);
}

}  // namespace swapbench
