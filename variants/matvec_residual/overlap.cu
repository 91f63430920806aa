// `matvec_residual.<type>` (q8_0, q4_0, q4_1; rows of a multiple of 16 bytes, or short rows as
// spans) with matvec.coalesced's kernel and spread epilogue, shaped as matvec.overlap: 1/share of
// the SM's shared memory per block, one block per SM, so the launches around it overlap under PDL.
// Saves the gap between launches (block launch, first DRAM trip). Not bit-identical: x is rounded
// to 16 bits per 32-block (NMSE <= 7.5e-9) and sums are reassociated, exactly as
// matvec_residual.coalesced. In place (y == residual) is safe: each element is read, then written,
// by one lane.
#include "kernels/matvec_residual/matvec_residual.h"
#include "variants/matvec/coalesced_family.cuh"

namespace swapbench::matvec_residual {
namespace {

void launch(const Args& a, const LaunchCtx& ctx) {
  mvc::launch_typed<mvc::Epilogue::add_residual>(a.type, mvc::job(a), mvc::overlap_tuning(ctx), ctx,
                                                 "matvec_residual.overlap");
}

}  // namespace

SB_ON_LOAD {
  mvc::register_coalesced(
      mvc::kMatvecResidual,
      {.name = "overlap",
       .rationale = "matvec_residual.coalesced (16-byte cp.async ring, x as 16-bit integers, two "
                    "__dp4a per weight word, lane r adds residual[row r]) shaped like "
                    "matvec.overlap: 1/share of the SM's shared memory per block, one block per "
                    "SM, so launches overlap under PDL. x rounding (NMSE <= 7.5e-9) and "
                    "reassociated sums make it "
                    "not bitwise. In place safe.",
       .params = mvc::overlap_params()},
      &launch);
}

}  // namespace swapbench::matvec_residual
