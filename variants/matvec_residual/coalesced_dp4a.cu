// `matvec_residual.<type>` (q8_0, q4_0, q4_1; rows of a multiple of 16 bytes) with
// matvec.coalesced_dp4a's kernel (16-byte cp.async ring, x as int8 per 32-block with scale
// amax / 127, one __dp4a per 4 weights) and coalesced's spread epilogue (lane r adds residual[r]).
// Saves half the dp4a and x loads of matvec_residual.coalesced per weight byte.
// Not bit-identical: x is rounded to 8 bits (<= amax / 254 per element) and sums are
// reassociated, so NMSE <= kDp4aNmseBound (1e-3, dp4a_bound.h says why). In place is safe.
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
    mvc::Tuning tu;
    tu.warps = ctx.param("warps");
    tu.rows = ctx.param("rows_per_warp");
    mvc::launch<decltype(t)::value, mvc::Epilogue::add_residual, 8>(
        j, tu, ctx, "matvec_residual.coalesced_dp4a");
  });
}

}  // namespace

SB_ON_LOAD {
  for (DType t : mvc::kTypes) {
    register_variant<Args>(
        {.slot = matvec::slot_key("matvec_residual", t),
         .name = "coalesced_dp4a",
         .backend = Backend::cuda,
         .equality = Equality::reassociates,
         .rationale =
             "matvec_residual.coalesced's kernel and epilogue (lane r adds residual[row r]) "
             "with x quantized once per thread block to int8 per 32-block (scale amax / "
             "127, as matvec.dp4a): one __dp4a per weight word. Fewer instructions per "
             "weight byte; x rounding to 8 bits makes NMSE <= 1e-3 (dp4a_bound.h), not "
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
