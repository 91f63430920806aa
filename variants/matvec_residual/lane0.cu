// CUDA reference of `matvec_residual.<type>`: the warp_row kernel whose lane 0 stores
// y[r] = residual[r] + sum, one row per warp.
// Saves nothing on purpose: the baseline for spreading the epilogue over lanes.
// Bit-identical by definition (it is the CUDA reference); its sums are matvec.warp_row's.
#include "kernels/common/traffic.h"
#include "kernels/matvec/matvec.h"
#include "kernels/matvec_residual/matvec_residual.h"
#include "variants/matvec/matvec_kernels.cuh"

namespace swapbench::matvec_residual {
namespace {

void launch(const Args& a, const LaunchCtx& ctx) {
  const mv::Job j = mv::single_job(a.w, a.x, a.residual, a.y, a.rows, a.cols, a.type);
  mv::dispatch_type(a.type, [&](auto t) {
    mv::launch_matvec<decltype(t)::value, 1, 0, mv::Epilogue::lane0_resid>(
        j, ctx.param("warps"), ctx, "matvec_residual.lane0");
  });
}

}  // namespace

SB_ON_LOAD {
  for (DType t : matvec::kTypes) {
    register_variant<Args>(
        {.slot = matvec::slot_key("matvec_residual", t),
         .name = "lane0",
         .backend = Backend::cuda,
         .equality = Equality::bitwise,
         .rationale = "warp_row arithmetic (one warp per row, x from global memory); lane 0 "
                      "reads the residual, adds the row sum and stores: the plain epilogue.",
         .params = {{.name = "warps", .min = 1, .max = mv::kMaxWarps, .def = 4,
                     .doc = "warps (rows) per thread block"}},
         .applies = [](const Shape& s) { return require(s.cols % 32 == 0, "cols % 32 != 0"); },
         .bytes = [t](const Shape& s) { return traffic::matvec_bytes(t, s, true); },
         .flops = [](const Shape& s) { return traffic::matvec_flops(s); }},
        &launch);
  }
}

}  // namespace swapbench::matvec_residual
