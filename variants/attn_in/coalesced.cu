// `attn_in.<type>` (q8_0, q4_0, q4_1; rows of a multiple of 16 bytes) in ONE launch on
// matvec.coalesced's cp.async ring kernel (coalesced_kernels.cuh, coalesced_norm.cuh): every
// block computes the rmsnorm scale and quantizes xn to 16-bit integers in shared memory, each
// warp streams one rope pair of rows (two adjacent rows of Wq, Wk or Wv) through its ring and
// lane 0 rotates the pair into q or the k cache, or stores the v pair in the v cache.
// Saves attn_in.fused's strided weight loads (its v3-style dot) for coalesced 16-byte copies,
// keeping its single launch (norm, three matvecs, rope and the cache write).
// Not bit-identical: xn is rounded to 16 bits per 32-block (NMSE <= 7.5e-9) and the row sums
// are integer and reassociated, as matvec.coalesced.
#include "variants/attn_in/coalesced_slot.cuh"

namespace swapbench::attn_in {
namespace {

void launch(const Args& a, const LaunchCtx& ctx) {
  launch_coalesced<16>(a, ctx, "attn_in.coalesced");
}

}  // namespace

SB_ON_LOAD {
  mvc::register_norm_pairs(
      kCoalescedSlot,
      {.name = "coalesced",
       .rationale = "rmsnorm, the Q, K and V matvecs, rope and the KV-cache write in one "
                    "launch of matvec.coalesced's kernel: each block recomputes the norm scale "
                    "and quantizes xn to 16-bit integers per 32-block in shared memory, each "
                    "warp streams a rope pair of rows with lane-consecutive 16-byte cp.async "
                    "copies into a shared ring (copies start before griddepcontrol.wait) and "
                    "dots them with two __dp4a per weight word; lane 0 rotates and stores the "
                    "pair. fused's one launch at coalesced's bandwidth; xn rounding (NMSE <= "
                    "7.5e-9) and integer/reassociated sums make it not bitwise."},
      &launch);
}

}  // namespace swapbench::attn_in
