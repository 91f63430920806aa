// `matvec_pair.<type>` (q8_0, q4_0, q4_1; rows of a multiple of 16 bytes, or short rows as spans)
// in one launch over the rows of both matrices with matvec.coalesced's kernel
// (coalesced_kernels.cuh): 16-byte cp.async streams of each warp's rows, x quantized once per
// thread block to 16 bits and shared by W1/W2. Saves a launch and its tail per pair, plus
// matvec.coalesced's wavefronts and issue slots. Not bit-identical: x is rounded to 16 bits per
// 32-block (NMSE <= 7.5e-9) and sums are reassociated; a group of rows may hold rows of both
// matrices.
#include "kernels/matvec_pair/matvec_pair.h"
#include "variants/matvec/coalesced_family.cuh"

namespace swapbench::matvec_pair {
namespace {

void launch(const Args& a, const LaunchCtx& ctx) {
  mvc::launch_typed<mvc::Epilogue::store>(a.type, mvc::job(a), mvc::coalesced_tuning(ctx), ctx,
                                          "matvec_pair.coalesced");
}

}  // namespace

SB_ON_LOAD {
  mvc::register_coalesced(
      mvc::kMatvecPair,
      {.name = "coalesced",
       .rationale =
           "One launch over the rows of both matrices; each warp streams its rows with "
           "lane-consecutive 16-byte cp.async copies into a 4- to 8-slot shared ring, x "
           "quantized once per thread block to 16-bit integers per 32-block and dotted "
           "with two __dp4a per weight word (rows that are not whole 16-byte copies go 2 or "
           "4 at a time as one run). One launch, coalesced weight traffic; x "
           "rounding (NMSE <= 7.5e-9) and reassociated sums make it not bitwise.",
       .params = mvc::coalesced_params(mvc::kMatvecPair)},
      &launch);
}

}  // namespace swapbench::matvec_pair
