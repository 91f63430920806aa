// `matvec_pair.<type>` (q8_0, q4_0, q4_1; rows of a multiple of 16 bytes, or short rows as spans)
// in one launch over the rows of both matrices with matvec.coalesced's kernel, shaped as
// matvec.overlap: 1/share of the SM's shared memory per block, one block per SM, so the launches
// around it overlap under PDL. Saves a launch per pair and the gap between launches. Not
// bit-identical: x is rounded to 16 bits per 32-block (NMSE <= 7.5e-9) and sums are reassociated,
// exactly as matvec_pair.coalesced.
#include "kernels/matvec_pair/matvec_pair.h"
#include "variants/matvec/coalesced_family.cuh"

namespace swapbench::matvec_pair {
namespace {

void launch(const Args& a, const LaunchCtx& ctx) {
  mvc::launch_typed<mvc::Epilogue::store>(a.type, mvc::job(a), mvc::overlap_tuning(ctx), ctx,
                                          "matvec_pair.overlap");
}

}  // namespace

SB_ON_LOAD {
  mvc::register_coalesced(
      mvc::kMatvecPair,
      {.name = "overlap",
       .rationale = "One launch over the rows of both matrices with matvec.coalesced's kernel "
                    "(16-byte cp.async ring, x as 16-bit integers, two __dp4a per weight word), "
                    "shaped like matvec.overlap: 1/share of the SM's shared memory per block, one "
                    "block per SM, so launches overlap under PDL. x rounding (NMSE <= 7.5e-9) and "
                    "reassociated sums make it not bitwise.",
       .params = mvc::overlap_params()},
      &launch);
}

}  // namespace swapbench::matvec_pair
