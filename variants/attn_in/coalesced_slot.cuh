// What attn_in.coalesced and attn_in.coalesced_dp4a share: the slot's facts for
// mvc::register_norm_pairs and the launch, which differ only in x's width (XB bits).
#pragma once

#include "kernels/attn_in/attn_in.h"
#include "kernels/common/traffic.h"
#include "kernels/matvec/matvec.h"
#include "variants/attn_in/qkv_rope_op.cuh"
#include "variants/attn_in/shape_rules.h"
#include "variants/matvec/coalesced_norm.cuh"

namespace swapbench::attn_in {

inline constexpr mvc::NormPairsSlot kCoalescedSlot{
    "attn_in", "row pairs", &shape_ok, &traffic::attn_in_bytes, &traffic::attn_in_flops};

template <int XB>
void launch_coalesced(const Args& a, const LaunchCtx& ctx, const char* what) {
  mvc::launch_norm_pairs<XB>(a.type, a.x, a.norm, a.eps, a.dim, qkv_rope_op(a), ctx.param("warps"),
                             ctx, what);
}

}  // namespace swapbench::attn_in
