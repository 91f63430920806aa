// `matvec_pair.<type>` (q8_0, q4_0, q4_1; rows of a multiple of 16 bytes, or short rows as spans)
// in one launch over the rows of both matrices with matvec.coalesced_dp4a's kernel: 16-byte
// cp.async streams, x as int8 per 32-block (scale amax / 127) shared by W1/W2, one __dp4a per 4
// weights. Saves a launch per pair, plus half the dp4a and x loads of matvec_pair.coalesced. Not
// bit-identical: x is rounded to 8 bits (<= amax / 254 per element) and sums are reassociated, so
// NMSE <= kDp4aNmseBound (1e-3, dp4a_bound.h says why), as matvec.dp4a.
#include "kernels/matvec_pair/matvec_pair.h"
#include "variants/matvec/coalesced_family.cuh"

namespace swapbench::matvec_pair {
namespace {

void launch(const Args& a, const LaunchCtx& ctx) {
  mvc::launch_typed<mvc::Epilogue::store, 8>(a.type, mvc::job(a), mvc::coalesced_tuning(ctx), ctx,
                                             "matvec_pair.coalesced_dp4a");
}

}  // namespace

SB_ON_LOAD {
  mvc::register_coalesced(
      mvc::kMatvecPair,
      {.name = "coalesced_dp4a",
       .rationale = "One launch over the rows of both matrices with matvec.coalesced_dp4a's "
                    "kernel: 16-byte cp.async streams into a shared ring, x quantized once per "
                    "thread block to int8 per 32-block (scale amax / 127) and shared by W1 and W2, "
                    "one __dp4a per weight word. One launch, fewer instructions per weight byte; x "
                    "rounding to 8 bits makes NMSE <= 1e-3 (dp4a_bound.h), not bitwise.",
       .params = mvc::coalesced_params(mvc::kMatvecPair)},
      &launch);
}

}  // namespace swapbench::matvec_pair
