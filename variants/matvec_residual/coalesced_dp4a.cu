// `matvec_residual.<type>` (q8_0, q4_0, q4_1; rows of a multiple of 16 bytes, or short rows as
// spans) with matvec.coalesced_dp4a's kernel (16-byte cp.async ring, x as int8 per 32-block with
// scale amax / 127, one __dp4a per 4 weights) and coalesced's spread epilogue (lane r adds
// residual[r]). Saves half the dp4a and x loads of matvec_residual.coalesced per weight byte. Not
// bit-identical: x is rounded to 8 bits (<= amax / 254 per element) and sums are reassociated, so
// NMSE <= kDp4aNmseBound (1e-3, dp4a_bound.h says why). In place is safe.
#include "kernels/matvec_residual/matvec_residual.h"
#include "variants/matvec/coalesced_family.cuh"

namespace swapbench::matvec_residual {
namespace {

void launch(const Args& a, const LaunchCtx& ctx) {
  mvc::launch_typed<mvc::Epilogue::add_residual, 8>(a.type, mvc::job(a), mvc::coalesced_tuning(ctx),
                                                    ctx, "matvec_residual.coalesced_dp4a");
}

}  // namespace

SB_ON_LOAD {
  mvc::register_coalesced(
      mvc::kMatvecResidual,
      {.name = "coalesced_dp4a",
       .rationale = "matvec_residual.coalesced's kernel and epilogue (lane r adds residual[row r]) "
                    "with x quantized once per thread block to int8 per 32-block (scale amax / "
                    "127, as matvec.dp4a): one __dp4a per weight word. Fewer instructions per "
                    "weight byte; x rounding to 8 bits makes NMSE <= 1e-3 (dp4a_bound.h), not "
                    "bitwise. In place safe.",
       .params = mvc::coalesced_params(mvc::kMatvecResidual)},
      &launch);
}

}  // namespace swapbench::matvec_residual
