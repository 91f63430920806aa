// `matvec_residual.<type>` with a warp holding several rows and the epilogue spread over lanes:
// after the per-row xor-tree sums (which leave every row's sum in every lane) lane i reads
// residual[row i], adds and stores y[row i].
// Saves memory transactions and latency at the tail: one coalesced rows_per_warp-float read and
// store per warp instead of that many single-lane ones, and each x load serves several rows.
// Bit-identical to lane0: same block dot, lane -> block mapping, order, shuffle tree and final
// add; only how many rows a warp holds and which lane stores differ. In place (y == residual) is
// safe: each element is read and then written by the same lane.
#include "kernels/common/traffic.h"
#include "kernels/matvec/matvec.h"
#include "kernels/matvec_residual/matvec_residual.h"
#include "variants/matvec/matvec_kernels.cuh"

namespace swapbench::matvec_residual {
namespace {

void launch(const Args& a, const LaunchCtx& ctx) {
  const mv::Job j = mv::single_job(a.w, a.x, a.residual, a.y, a.rows, a.cols, a.type);
  mv::dispatch_type(a.type, [&](auto t) {
    constexpr DType T = decltype(t)::value;
    mv::dispatch_rows<mv::max_rows<T>()>(ctx.param("rows_per_warp"), [&](auto r) {
      mv::launch_matvec<T, decltype(r)::value, 0, mv::Epilogue::spread_resid>(
          j, ctx.param("warps"), ctx, "matvec_residual.shuffle");
    });
  });
}

}  // namespace

SB_ON_LOAD {
  for (DType t : matvec::kTypes) {
    register_variant<Args>(
        {.slot = matvec::slot_key("matvec_residual", t),
         .name = "shuffle",
         .backend = Backend::cuda,
         .equality = Equality::bitwise,
         .rationale = "Each warp dots rows_per_warp rows with the warp_row order (one x load per "
                      "block serves them all); after the xor-tree sums lane i adds residual[row "
                      "i] and stores row i, so the epilogue is one coalesced access per warp "
                      "instead of lane 0's serial ones. Bitwise equal to lane0; in place safe.",
         .params = {{.name = "warps", .min = 1, .max = mv::kMaxWarps, .def = 4,
                     .doc = "warps per thread block"},
                    {.name = "rows_per_warp", .min = 1, .max = 8, .def = 4,
                     .doc = "rows per warp, rounded down to 1, 2, 4 or 8 (at most 4 for f32, f16 "
                             "and bf16: more would spill registers)"}},
         .applies = [](const Shape& s) { return require(s.cols % 32 == 0, "cols % 32 != 0"); },
         .bytes = [t](const Shape& s) { return traffic::matvec_bytes(t, s, true); },
         .flops = [](const Shape& s) { return traffic::matvec_flops(s); }},
        &launch);
  }
}

}  // namespace swapbench::matvec_residual
