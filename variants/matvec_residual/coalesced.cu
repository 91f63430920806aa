// `matvec_residual.<type>` (q8_0, q4_0, q4_1; rows of a multiple of 16 bytes, or short rows as
// spans) with matvec.coalesced's kernel (coalesced_kernels.cuh) and a spread epilogue: lane r of a
// warp reads residual[row r] of its group, adds the row's sum and stores y[row r]. Saves
// matvec.coalesced's wavefronts and issue slots, and one coalesced epilogue per group. Not
// bit-identical: x is rounded to 16 bits per 32-block (NMSE <= 7.5e-9) and sums are reassociated.
// In place (y == residual) is safe: each element is read, then written, by one lane.
#include "kernels/matvec_residual/matvec_residual.h"
#include "variants/matvec/coalesced_family.cuh"

namespace swapbench::matvec_residual {
namespace {

void launch(const Args& a, const LaunchCtx& ctx) {
  mvc::launch_typed<mvc::Epilogue::add_residual>(a.type, mvc::job(a), mvc::coalesced_tuning(ctx),
                                                 ctx, "matvec_residual.coalesced");
}

}  // namespace

SB_ON_LOAD {
  mvc::register_coalesced(
      mvc::kMatvecResidual,
      {.name = "coalesced",
       .rationale =
           "Each warp streams rows_per_warp rows with lane-consecutive 16-byte cp.async "
           "copies into a 4- to 8-slot shared ring, x quantized once per thread block to "
           "16-bit integers per 32-block and dotted with two __dp4a per weight word; lane "
           "r adds residual[row r] and stores it (rows that are not whole 16-byte copies go "
           "2 or 4 at a time as one run). Coalesced weight traffic; x rounding "
           "(NMSE <= 7.5e-9) and reassociated sums make it not bitwise. In place safe.",
       .params = mvc::coalesced_params(mvc::kMatvecResidual)},
      &launch);
}

}  // namespace swapbench::matvec_residual
