// CPU `attn_in` as ONE slot call: the norm's sum of squares in float (as a vectorising CPU
// engine keeps it), then the matvec and rope references on scratch from the workspace.
// Saves the calls and the xn round trip between slots, and lets the decode step's fused path
// (one call instead of five) run and be tested on a machine without a GPU. Reassociates: the
// float sum of squares differs from the reference's double one in the last bits of xn.
#include <cmath>

#include "kernels/attn_in/attn_in.h"
#include "kernels/common/traffic.h"
#include "kernels/matvec/matvec.h"
#include "kernels/rope/rope.h"
#include "variants/attn_in/shape_rules.h"

namespace swapbench::attn_in {
namespace {

void launch(const Args& a, const LaunchCtx& ctx) {
  const int32_t q_rows = a.heads * a.head_dim, kv_rows = a.kv_heads * a.head_dim;
  float* xn = static_cast<float*>(ctx.workspace);
  float* k = xn + a.dim;
  float* v = k + kv_rows;
  float ss = 0.0f;
  for (int32_t i = 0; i < a.dim; ++i) ss += a.x[i] * a.x[i];
  const float scale = 1.0f / std::sqrt(ss / static_cast<float>(a.dim) + a.eps);
  for (int32_t i = 0; i < a.dim; ++i) xn[i] = a.x[i] * scale * a.norm[i];
  matvec::reference({a.wq, xn, a.q, q_rows, a.dim, a.type});
  matvec::reference({a.wk, xn, k, kv_rows, a.dim, a.type});
  matvec::reference({a.wv, xn, v, kv_rows, a.dim, a.type});
  rope::reference({a.q, k, v, a.k_cache, a.v_cache, a.pos, a.heads, a.kv_heads, a.head_dim,
                   a.rot_dim, a.freq_base});
}

}  // namespace

SB_ON_LOAD {
  for (DType t : matvec::kTypes) {
    register_variant<Args>(
        {.slot = matvec::slot_key("attn_in", t),
         .name = "cpu_fused",
         .backend = Backend::cpu,
         .equality = Equality::reassociates,
         .rationale = "One call for norm, Q/K/V, rope and the cache write, with the norm's sum "
                      "of squares in float: the step's fused path on the CPU. Reassociates the "
                      "sum of squares.",
         .applies = &shape_ok,
         .bytes = [t](const Shape& s) { return traffic::attn_in_bytes(t, s); },
         .flops = [](const Shape& s) { return traffic::attn_in_flops(s); },
         .workspace_bytes =
             [](const Shape& s) { return size_t(s.cols + 2 * s.rows2) * sizeof(float); }},
        &launch);
  }
}

}  // namespace swapbench::attn_in
