// `matvec_pair.<type>` (q8_0, q4_0, q4_1; rows of a multiple of 16 bytes) in one launch over the
// rows of both matrices with matvec.coalesced_dp4a's kernel: 16-byte cp.async streams, x as int8
// per 32-block (scale amax / 127) shared by W1/W2, one __dp4a per 4 weights.
// Saves a launch per pair, plus half the dp4a and x loads of matvec_pair.coalesced.
// Not bit-identical: x is rounded to 8 bits (<= amax / 254 per element) and sums are
// reassociated, so NMSE <= kDp4aNmseBound (1e-3, dp4a_bound.h says why), as matvec.dp4a.
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
    mvc::Tuning tu;
    tu.warps = ctx.param("warps");
    tu.rows = ctx.param("rows_per_warp");
    mvc::launch<decltype(t)::value, mvc::Epilogue::store, 8>(j, tu, ctx,
                                                             "matvec_pair.coalesced_dp4a");
  });
}

}  // namespace

SB_ON_LOAD {
  for (DType t : mvc::kTypes) {
    register_variant<Args>(
        {.slot = matvec::slot_key("matvec_pair", t),
         .name = "coalesced_dp4a",
         .backend = Backend::cuda,
         .equality = Equality::reassociates,
         .rationale =
             "One launch over the rows of both matrices with matvec.coalesced_dp4a's kernel: "
             "16-byte cp.async streams into a shared ring, x quantized once per thread "
             "block to int8 per 32-block (scale amax / 127) and shared by W1 and W2, one "
             "__dp4a per weight word. One launch, fewer instructions per weight byte; x "
             "rounding to 8 bits makes NMSE <= 1e-3 (dp4a_bound.h), not bitwise.",
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
