// `matvec_pair.<type>` (q8_0, q4_0, q4_1; rows of a multiple of 16 bytes) in one launch over the
// rows of both matrices with matvec.coalesced's kernel (coalesced_kernels.cuh): 16-byte cp.async
// streams of each warp's rows, x quantized once per thread block to 16 bits and shared by W1/W2.
// Saves a launch and its tail per pair, plus matvec.coalesced's wavefronts and issue slots.
// Not bit-identical: x is rounded to 16 bits per 32-block (NMSE <= 7.5e-9) and sums are
// reassociated; a group of rows may hold rows of both matrices.
#include "kernels/common/traffic.h"
#include "kernels/matvec/matvec.h"
#include "kernels/matvec_pair/matvec_pair.h"
#include "variants/matvec/coalesced_kernels.cuh"

namespace swapbench::matvec_pair {
namespace {

void launch(const Args& a, const LaunchCtx& ctx) {
  const mvc::Job j{static_cast<const uint8_t*>(a.w1),
                   static_cast<const uint8_t*>(a.w2),
                   a.x,
                   nullptr,
                   a.y1,
                   a.y2,
                   a.rows1,
                   a.rows1 + a.rows2,
                   a.cols / 32,
                   row_bytes(a.type, static_cast<uint64_t>(a.cols))};
  mvc::dispatch_type(a.type, [&](auto t) {
    mvc::launch<decltype(t)::value, mvc::Epilogue::store>(
        j, ctx.param("warps"), ctx.param("rows_per_warp"), ctx, "matvec_pair.coalesced");
  });
}

}  // namespace

SB_ON_LOAD {
  for (DType t : mvc::kTypes) {
    register_variant<Args>(
        {.slot = matvec::slot_key("matvec_pair", t),
         .name = "coalesced",
         .backend = Backend::cuda,
         .equality = Equality::reassociates,
         .rationale = "One launch over the rows of both matrices; each warp streams its rows with "
                      "lane-consecutive 16-byte cp.async copies into a 4- to 8-slot shared ring, x "
                      "quantized once per thread block to 16-bit integers per 32-block and dotted "
                      "with two __dp4a per weight word. One launch, coalesced weight traffic; x "
                      "rounding (NMSE <= 7.5e-9) and reassociated sums make it not bitwise.",
         .params = {{.name = "warps",
                     .min = 1,
                     .max = mvc::kMaxWarps,
                     .def = 16,
                     .doc = "warps per thread block"},
                    {.name = "rows_per_warp",
                     .min = 1,
                     .max = 2,
                     .def = 2,
                     .doc = "rows per warp group, 1 or 2 (1 for small matrices)"}},
         .applies = [t](const Shape& s) { return mvc::applies(t, s.cols); },
         .bytes = [t](const Shape& s) { return traffic::matvec_bytes(t, s, false); },
         .flops = [](const Shape& s) { return traffic::matvec_flops(s); },
         .fallback = "fused"},
        &launch);
  }
}

}  // namespace swapbench::matvec_pair
