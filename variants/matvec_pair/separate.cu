// CUDA reference of `matvec_pair.<type>`: two launches of the warp_row kernel, W1 x then W2 x.
// Saves nothing on purpose: the baseline the fused launch is measured against.
// Bit-identical by definition (it is the CUDA reference), and bitwise equal to two matvec.warp_row.
#include "kernels/common/traffic.h"
#include "kernels/matvec/matvec.h"
#include "kernels/matvec_pair/matvec_pair.h"
#include "variants/matvec/matvec_kernels.cuh"

namespace swapbench::matvec_pair {
namespace {

void launch(const Args& a, const LaunchCtx& ctx) {
  const mv::Job j1 = mv::single_job(a.w1, a.x, nullptr, a.y1, a.rows1, a.cols, a.type);
  const mv::Job j2 = mv::single_job(a.w2, a.x, nullptr, a.y2, a.rows2, a.cols, a.type);
  mv::dispatch_type(a.type, [&](auto t) {
    constexpr DType T = decltype(t)::value;
    mv::launch_matvec<T, 1, 0, mv::Epilogue::lane0>(j1, ctx.param("warps"), ctx,
                                                    "matvec_pair.separate (W1)");
    mv::launch_matvec<T, 1, 0, mv::Epilogue::lane0>(j2, ctx.param("warps"), ctx,
                                                    "matvec_pair.separate (W2)");
  });
}

}  // namespace

SB_ON_LOAD {
  for (DType t : matvec::kTypes) {
    register_variant<Args>(
        {.slot = matvec::slot_key("matvec_pair", t),
         .name = "separate",
         .backend = Backend::cuda,
         .equality = Equality::bitwise,
         .rationale = "Two launches of the warp_row kernel (one warp per row, x from global "
                      "memory), one per matrix: the plain version of a gate/up pair.",
         .params = {{.name = "warps", .min = 1, .max = mv::kMaxWarps, .def = 4,
                     .doc = "warps (rows) per thread block"}},
         .applies = [](const Shape& s) { return require(s.cols % 32 == 0, "cols % 32 != 0"); },
         .bytes = [t](const Shape& s) { return traffic::matvec_bytes(t, s, false); },
         .flops = [](const Shape& s) { return traffic::matvec_flops(s); }},
        &launch);
  }
}

}  // namespace swapbench::matvec_pair
