// CUDA reference of `attn_in.<type>`: the CUDA references of rmsnorm, matvec (three times) and
// rope launched in sequence, with xn, k and v in the workspace.
// Saves nothing on purpose: the five launches a fused variant is measured against. In a decode
// the step does not launch this: it makes the five slot calls itself, each as the plan says.
// Bitwise by definition (it is the CUDA reference).
#include "kernels/attn_in/attn_in.h"
#include "kernels/common/traffic.h"
#include "kernels/matvec/matvec.h"
#include "kernels/rmsnorm/rmsnorm.h"
#include "kernels/rope/rope.h"
#include "variants/attn_in/shape_rules.h"

namespace swapbench::attn_in {
namespace {

void launch(const Args& a, const LaunchCtx& ctx) {
  const int32_t q_rows = a.heads * a.head_dim, kv_rows = a.kv_heads * a.head_dim;
  // Workspace: xn, k, v, each region rounded up to whole float4s (the matvecs read x as float4).
  float* xn = static_cast<float*>(ctx.workspace);
  float* k = xn + float4_padded(a.dim);
  float* v = k + float4_padded(kv_rows);
  const std::string mv = matvec::slot_key("matvec", a.type);
  launch_reference("rmsnorm", Backend::cuda, rmsnorm::Args{a.x, a.norm, xn, a.dim, a.eps}, ctx);
  launch_reference(mv, Backend::cuda, matvec::Args{a.wq, xn, a.q, q_rows, a.dim, a.type}, ctx);
  launch_reference(mv, Backend::cuda, matvec::Args{a.wk, xn, k, kv_rows, a.dim, a.type}, ctx);
  launch_reference(mv, Backend::cuda, matvec::Args{a.wv, xn, v, kv_rows, a.dim, a.type}, ctx);
  launch_reference("rope", Backend::cuda,
                   rope::Args{a.q, k, v, a.k_cache, a.v_cache, a.pos, a.heads, a.kv_heads,
                              a.head_dim, a.rot_dim, a.freq_base},
                   ctx);
}

}  // namespace

SB_ON_LOAD {
  for (DType t : matvec::kTypes) {
    register_variant<Args>(
        {.slot = matvec::slot_key("attn_in", t),
         .name = "unfused",
         .backend = Backend::cuda,
         .equality = Equality::bitwise,
         .rationale = "rmsnorm.serial, three matvec.warp_row launches and rope.thread_pair in "
                      "sequence: the five launches of the unfused step, the CUDA reference.",
         .applies = &shape_ok,
         .bytes = [t](const Shape& s) { return traffic::attn_in_bytes(t, s); },
         .flops = [](const Shape& s) { return traffic::attn_in_flops(s); },
         .workspace_bytes =
             [](const Shape& s) {
               return size_t(float4_padded(s.cols) + 2 * float4_padded(s.rows2)) * sizeof(float);
             }},
        &launch);
  }
}

}  // namespace swapbench::attn_in
