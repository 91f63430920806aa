// `matvec.<type>` (q8_0, q4_0, q4_1; rows of a multiple of 16 bytes, or short rows as spans) with
// matvec.coalesced's kernel, shaped to overlap the launches around it: each block keeps to 1/share
// of the SM's shared memory and the grid to one block per SM, so that under PDL the next launch's
// blocks are already resident and stream their first weights while this one computes and drains its
// tail. Only launches of at most share_max_mb of weights share: bigger ones need every byte of ring
// in flight and run exactly as coalesced. Optionally: L2 prefetch of the first row groups. Saves
// latency per launch: the gap between matvecs (block launch, first DRAM round trip). Not
// bit-identical, as matvec.coalesced: x rounded to 16 bits per 32-block (NMSE <= 7.5e-9), integer
// and reassociated sums. Bytes, x rounding and sums are exactly coalesced's.
#include "kernels/matvec/matvec.h"
#include "variants/matvec/coalesced_family.cuh"

namespace swapbench::matvec {
namespace {

void launch(const Args& a, const LaunchCtx& ctx) {
  mvc::launch_typed<mvc::Epilogue::store>(a.type, mvc::job(a), mvc::overlap_tuning(ctx), ctx,
                                          "matvec.overlap");
}

}  // namespace

SB_ON_LOAD {
  mvc::register_coalesced(
      mvc::kMatvec,
      {.name = "overlap",
       .rationale =
           "matvec.coalesced's cp.async ring and 16-bit x dp4a kernel, launched so that "
           "consecutive launches overlap under PDL: each block takes 1/share of the SM's "
           "shared memory and the grid one block per SM, so the next launch's blocks fit "
           "beside this one's and stream their first weights (ring, and optionally L2 "
           "prefetch) while it runs. Hides the per-launch gap that dominates 4096x4096 and "
           "1024x4096 matvecs. Same arithmetic as coalesced (NMSE <= 7.5e-9 from x "
           "rounding, reassociated sums): not bitwise.",
       .params = mvc::overlap_params()},
      &launch);
}

}  // namespace swapbench::matvec
