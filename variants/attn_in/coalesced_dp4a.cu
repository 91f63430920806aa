// `attn_in.<type>` (q8_0, q4_0, q4_1; rows of a multiple of 16 bytes): attn_in.coalesced's one
// launch (rmsnorm, Q/K/V rope pairs through the cp.async ring, rope and the KV-cache write by
// lane 0) with xn quantized to int8 per 32-block (scale amax / 127) instead of 16-bit integers,
// as matvec*.coalesced_dp4a: one __dp4a per weight word instead of two, and half the x bytes to
// stage after the grid wait. Not bit-identical: NMSE of q, k and v <= kDp4aNmseBound (1e-3,
// dp4a_bound.h says why; rope is a rotation and keeps it).
#include "variants/attn_in/coalesced_slot.cuh"

namespace swapbench::attn_in {
namespace {

void launch(const Args& a, const LaunchCtx& ctx) {
  launch_coalesced<8>(a, ctx, "attn_in.coalesced_dp4a");
}

}  // namespace

SB_ON_LOAD {
  mvc::register_norm_pairs(
      kCoalescedSlot,
      {.name = "coalesced_dp4a",
       .rationale = "attn_in.coalesced (rmsnorm, the Q, K and V matvecs, rope and the KV-cache "
                    "write in one launch of matvec.coalesced's ring kernel) with xn quantized to "
                    "int8 per 32-block (scale amax / 127, as matvec.dp4a): one __dp4a per weight "
                    "word instead of two and half the x bytes staged after the grid wait. xn "
                    "rounding to 8 bits makes NMSE <= 1e-3 (dp4a_bound.h), not bitwise."},
      &launch);
}

}  // namespace swapbench::attn_in
