// `matvec.<type>` (q8_0, q4_0, q4_1; rows of a multiple of 16 bytes) with matvec.coalesced's
// kernel (16-byte cp.async ring per warp, coalesced_kernels.cuh) but x held as matvec.dp4a holds
// it: int8 per 32-element block with scale amax / 127, one __dp4a per 4 weights instead of two.
// Saves issue slots and shared-memory reads per weight byte (half the dp4a, half the x loads),
// which is what limits q4_0, whose bytes carry twice the weights of q8_0's.
// Not bit-identical: x is rounded to 8 bits (<= amax / 254 per element) and sums are
// reassociated, so NMSE <= kDp4aNmseBound (1e-3, dp4a_bound.h says why), as matvec.dp4a.
#include "kernels/common/traffic.h"
#include "kernels/matvec/matvec.h"
#include "variants/matvec/coalesced_kernels.cuh"

namespace swapbench::matvec {
namespace {

void launch(const Args& a, const LaunchCtx& ctx) {
  const auto* w = static_cast<const uint8_t*>(a.w);
  const mvc::Job j{
      w,   w,      a.x,    nullptr,     a.y,
      a.y, a.rows, a.rows, a.cols / 32, row_bytes(a.type, static_cast<uint64_t>(a.cols))};
  mvc::dispatch_type(a.type, [&](auto t) {
    mvc::Tuning tu;
    tu.warps = ctx.param("warps");
    tu.rows = ctx.param("rows_per_warp");
    mvc::launch<decltype(t)::value, mvc::Epilogue::store, 8>(j, tu, ctx, "matvec.coalesced_dp4a");
  });
}

}  // namespace

SB_ON_LOAD {
  for (DType t : mvc::kTypes) {
    register_variant<Args>(
        {.slot = slot_key("matvec", t),
         .name = "coalesced_dp4a",
         .backend = Backend::cuda,
         .equality = Equality::reassociates,
         .rationale =
             "matvec.coalesced's kernel (each warp streams rows_per_warp rows with lane-"
             "consecutive 16-byte cp.async copies into a shared ring) with x quantized "
             "once per thread block to int8 per 32-block (scale amax / 127, as "
             "matvec.dp4a), so each weight word takes one __dp4a instead of two and x "
             "half the shared loads. Fewer instructions per weight byte (q4_0 is issue-"
             "bound); x rounding to 8 bits makes NMSE <= 1e-3 (dp4a_bound.h), not bitwise.",
         .params = {{.name = "warps",
                     .min = 1,
                     .max = mvc::kMaxWarps,
                     .def = 16,
                     .doc = "warps per thread block (fewer for small matrices)"},
                    {.name = "rows_per_warp",
                     .min = 1,
                     .max = 2,
                     .def = 2,
                     .doc = "rows per warp group, 1 or 2 (each x load serves both; 1 "
                            "for small matrices)"}},
         .applies = [t](const Shape& s) { return mvc::applies(t, s.cols); },
         .bytes = [t](const Shape& s) { return traffic::matvec_bytes(t, s, false); },
         .flops = [](const Shape& s) { return traffic::matvec_flops(s); },
         .fallback = "v3"},
        &launch);
  }
}

}  // namespace swapbench::matvec
