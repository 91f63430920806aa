// `matvec_residual.<type>` (q8_0, q4_0, q4_1; rows of a multiple of 16 bytes) with
// matvec.coalesced's kernel (coalesced_kernels.cuh) and a spread epilogue: lane r of a warp
// reads residual[row r] of its group, adds the row's sum and stores y[row r].
// Saves matvec.coalesced's wavefronts and issue slots, and one coalesced epilogue per group.
// Not bit-identical: x is rounded to 16 bits per 32-block (NMSE <= 7.5e-9) and sums are
// reassociated. In place (y == residual) is safe: each element is read, then written, by one lane.
#include "kernels/common/traffic.h"
#include "kernels/matvec/matvec.h"
#include "kernels/matvec_residual/matvec_residual.h"
#include "variants/matvec/coalesced_kernels.cuh"

namespace swapbench::matvec_residual {
namespace {

void launch(const Args& a, const LaunchCtx& ctx) {
  const auto* w = static_cast<const uint8_t*>(a.w);
  const mvc::Job j{
      w,   w,      a.x,    a.residual,  a.y,
      a.y, a.rows, a.rows, a.cols / 32, row_bytes(a.type, static_cast<uint64_t>(a.cols))};
  mvc::dispatch_type(a.type, [&](auto t) {
    mvc::launch<decltype(t)::value, mvc::Epilogue::add_residual>(
        j, ctx.param("warps"), ctx.param("rows_per_warp"), ctx, "matvec_residual.coalesced");
  });
}

}  // namespace

SB_ON_LOAD {
  for (DType t : mvc::kTypes) {
    register_variant<Args>(
        {.slot = matvec::slot_key("matvec_residual", t),
         .name = "coalesced",
         .backend = Backend::cuda,
         .equality = Equality::reassociates,
         .rationale =
             "Each warp streams rows_per_warp rows with lane-consecutive 16-byte "
             "cp.async copies into a 4- to 8-slot shared ring, x quantized once per thread "
             "block to 16-bit integers per 32-block and dotted with two __dp4a per "
             "weight word; lane r adds residual[row r] and stores it. Coalesced weight "
             "traffic; x rounding (NMSE <= 7.5e-9) and reassociated sums make it not "
             "bitwise. In place safe.",
         .params = {{.name = "warps",
                     .min = 1,
                     .max = mvc::kMaxWarps,
                     .def = 16,
                     .doc = "warps per thread block (fewer for small matrices)"},
                    {.name = "rows_per_warp",
                     .min = 1,
                     .max = 2,
                     .def = 2,
                     .doc = "rows per warp group, 1 or 2 (1 for small matrices)"}},
         .applies = [t](const Shape& s) { return mvc::applies(t, s.cols); },
         .bytes = [t](const Shape& s) { return traffic::matvec_bytes(t, s, true); },
         .flops = [](const Shape& s) { return traffic::matvec_flops(s); },
         .fallback = "shuffle"},
        &launch);
  }
}

}  // namespace swapbench::matvec_residual
