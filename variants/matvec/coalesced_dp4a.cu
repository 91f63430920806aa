// `matvec.<type>` (q8_0, q4_0, q4_1; rows of a multiple of 16 bytes, or short rows as spans) with
// matvec.coalesced's kernel (16-byte cp.async ring per warp, coalesced_kernels.cuh) but x held as
// matvec.dp4a holds it: int8 per 32-element block with scale amax / 127, one __dp4a per 4 weights
// instead of two. Saves issue slots and shared-memory reads per weight byte (half the dp4a, half
// the x loads), which is what limits q4_0, whose bytes carry twice the weights of q8_0's. Not
// bit-identical: x is rounded to 8 bits (<= amax / 254 per element) and sums are reassociated, so
// NMSE <= kDp4aNmseBound (1e-3, dp4a_bound.h says why), as matvec.dp4a.
#include "kernels/matvec/matvec.h"
#include "variants/matvec/coalesced_family.cuh"

namespace swapbench::matvec {
namespace {

void launch(const Args& a, const LaunchCtx& ctx) {
  mvc::launch_typed<mvc::Epilogue::store, 8>(a.type, mvc::job(a), mvc::coalesced_tuning(ctx), ctx,
                                             "matvec.coalesced_dp4a");
}

}  // namespace

SB_ON_LOAD {
  mvc::register_coalesced(
      mvc::kMatvec,
      {.name = "coalesced_dp4a",
       .rationale = "matvec.coalesced's kernel (each warp streams rows_per_warp rows with "
                    "lane-consecutive 16-byte cp.async copies into a shared ring) with x quantized "
                    "once per thread block to int8 per 32-block (scale amax / 127, as "
                    "matvec.dp4a), so each weight word takes one __dp4a instead of two and x half "
                    "the shared loads. Fewer instructions per weight byte (q4_0 is issue-bound); x "
                    "rounding to 8 bits makes NMSE <= 1e-3 (dp4a_bound.h), not bitwise.",
       .params = mvc::coalesced_params(mvc::kMatvec)},
      &launch);
}

}  // namespace swapbench::matvec
