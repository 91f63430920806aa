// `ffn_in.<type>` (q8_0, q4_0, q4_1; rows of a multiple of 16 bytes): ffn_in.coalesced's one
// launch (rmsnorm, gate and up row pairs through the cp.async ring, silu(gate) * up by lane 0)
// with xn quantized to int8 per 32-block (scale amax / 127) instead of 16-bit integers, as
// matvec*.coalesced_dp4a: one __dp4a per weight word instead of two, and half the x bytes to
// stage after the grid wait. Not bit-identical: NMSE of gate and up <= kDp4aNmseBound (1e-3,
// dp4a_bound.h says why); swiglu's product keeps it to within about twice that at worst, and
// measured far below (the variant tests assert 1e-3 on act).
#include "variants/ffn_in/coalesced_slot.cuh"

namespace swapbench::ffn_in {
namespace {

void launch(const Args& a, const LaunchCtx& ctx) {
  launch_coalesced<8>(a, ctx, "ffn_in.coalesced_dp4a");
}

}  // namespace

SB_ON_LOAD {
  mvc::register_norm_pairs(
      kCoalescedSlot,
      {.name = "coalesced_dp4a",
       .rationale = "ffn_in.coalesced (rmsnorm, gate and up matvecs and swiglu in one launch of "
                    "matvec.coalesced's ring kernel) with xn quantized to int8 per 32-block "
                    "(scale amax / 127, as matvec.dp4a): one __dp4a per weight word instead of "
                    "two and half the x bytes staged after the grid wait. xn rounding to 8 bits "
                    "makes NMSE <= 1e-3 (dp4a_bound.h), not bitwise."},
      &launch);
}

}  // namespace swapbench::ffn_in
