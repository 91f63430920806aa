// `matvec.<type>` (q8_0, q4_0, q4_1; rows of a multiple of 16 bytes, or short rows as spans)
// streaming each warp's rows with lane-consecutive 16-byte cp.async copies into a shared-memory
// ring, x held per thread block as 16-bit integers (hi/lo bytes) and dotted with __dp4a
// (coalesced_kernels.cuh). Saves L1/LSU wavefronts and issue slots: 512 contiguous bytes per warp
// copy instead of 34-byte strided lanes, 3 pieces (of 32 blocks x rows) in flight per warp with no
// registers held, x read as 2 bytes per element once per R rows, 2 dp4a per 4 weight bytes. Not
// bit-identical: x is rounded to 16 bits per 32-block (NMSE <= 7.5e-9, under the 1e-6 float bound)
// and sums are reassociated (integer block sums, lane-per-block, per-group warp sums).
#include "kernels/matvec/matvec.h"
#include "variants/matvec/coalesced_family.cuh"

namespace swapbench::matvec {
namespace {

void launch(const Args& a, const LaunchCtx& ctx) {
  mvc::launch_typed<mvc::Epilogue::store>(a.type, mvc::job(a), mvc::coalesced_tuning(ctx), ctx,
                                          "matvec.coalesced");
}

}  // namespace

SB_ON_LOAD {
  mvc::register_coalesced(
      mvc::kMatvec,
      {.name = "coalesced",
       .rationale =
           "Each warp streams rows_per_warp rows as pieces of 32 blocks per row with "
           "lane-consecutive 16-byte cp.async copies into a 4- to 8-slot shared ring (3 "
           "pieces in flight, copies start before griddepcontrol.wait); x is quantized "
           "once per thread block to 16-bit integers per 32-block (hi and lo bytes) and "
           "each weight word is dotted with two __dp4a, one block per lane; rows that are "
           "not whole 16-byte copies (576 columns) are copied 2 or 4 rows at a time as one "
           "contiguous run. Coalesced "
           "weight traffic and few instructions per byte; x rounding (NMSE <= 7.5e-9) and "
           "integer/reassociated sums make it not bitwise.",
       .params = mvc::coalesced_params(mvc::kMatvec)},
      &launch);
}

}  // namespace swapbench::matvec
