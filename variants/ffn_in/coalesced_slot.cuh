// What ffn_in.coalesced and ffn_in.coalesced_dp4a share: the slot's facts for
// mvc::register_norm_pairs and the launch, which differ only in x's width (XB bits).
#pragma once

#include "kernels/common/traffic.h"
#include "kernels/ffn_in/ffn_in.h"
#include "kernels/matvec/matvec.h"
#include "variants/ffn_in/gate_up_swiglu_op.cuh"
#include "variants/ffn_in/shape_rules.h"
#include "variants/matvec/coalesced_norm.cuh"

namespace swapbench::ffn_in {

inline constexpr mvc::NormPairsSlot kCoalescedSlot{"ffn_in", "gate/up row pairs", &shape_ok,
                                                   &traffic::ffn_in_bytes, &traffic::ffn_in_flops};

template <int XB>
void launch_coalesced(const Args& a, const LaunchCtx& ctx, const char* what) {
  mvc::launch_norm_pairs<XB>(a.type, a.x, a.norm, a.eps, a.dim, gate_up_swiglu_op(a),
                             ctx.param("warps"), ctx, what);
}

}  // namespace swapbench::ffn_in
