// `ffn_in.<type>` (q8_0, q4_0, q4_1; rows of a multiple of 16 bytes) in ONE launch on
// matvec.coalesced's cp.async ring kernel (coalesced_kernels.cuh, coalesced_norm.cuh): every
// block computes the rmsnorm scale and quantizes xn to 16-bit integers in shared memory, each
// warp streams row r of W_gate and row r of W_up together through its ring and lane 0 stores
// act[r] = silu(gate) * up with swiglu.elementwise's expression.
// Saves ffn_in.fused's strided weight loads (~52% of HBM bandwidth on 14336x4096) for the
// copies of matvec_pair.coalesced (~70-90%), keeping fused's single launch: gate and up never
// reach memory, and the rmsnorm and swiglu launches are gone.
// Not bit-identical: xn is rounded to 16 bits per 32-block (NMSE <= 7.5e-9) and the row sums
// are integer and reassociated, as matvec.coalesced.
#include "variants/ffn_in/coalesced_slot.cuh"

namespace swapbench::ffn_in {
namespace {

void launch(const Args& a, const LaunchCtx& ctx) {
  launch_coalesced<16>(a, ctx, "ffn_in.coalesced");
}

}  // namespace

SB_ON_LOAD {
  mvc::register_norm_pairs(
      kCoalescedSlot,
      {.name = "coalesced",
       .rationale = "rmsnorm, the gate and up matvecs and swiglu in one launch of "
                    "matvec.coalesced's kernel: each block recomputes the norm scale and "
                    "quantizes xn to 16-bit integers per 32-block in shared memory, each warp "
                    "streams a gate row and its up row with lane-consecutive 16-byte cp.async "
                    "copies into a shared ring (copies start before griddepcontrol.wait) and "
                    "dots them with two __dp4a per weight word; lane 0 stores silu(gate) * up. "
                    "fused's one launch at coalesced's bandwidth; xn rounding (NMSE <= 7.5e-9) "
                    "and integer/reassociated sums make it not bitwise."},
      &launch);
}

}  // namespace swapbench::ffn_in
