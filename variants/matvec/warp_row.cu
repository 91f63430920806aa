// CUDA reference of `matvec.<type>`: one warp per row, lane l taking blocks l, l+32, ... in order,
// x read from global memory, the xor-tree warp sum, lane 0 stores.
// Saves nothing on purpose: it defines the float order every bitwise variant reproduces.
// Bit-identical by definition (it is the CUDA reference); not bitwise to the CPU reference,
// which accumulates in double.
#include "kernels/common/traffic.h"
#include "kernels/matvec/matvec.h"
#include "variants/matvec/matvec_kernels.cuh"

namespace swapbench::matvec {
namespace {

void launch(const Args& a, const LaunchCtx& ctx) {
  const mv::Job j = mv::single_job(a.w, a.x, nullptr, a.y, a.rows, a.cols, a.type);
  mv::dispatch_type(a.type, [&](auto t) {
    mv::launch_matvec<decltype(t)::value, 1, 0, mv::Epilogue::lane0>(j, ctx.param("warps"),
                                                                      ctx, "matvec.warp_row");
  });
}

}  // namespace

SB_ON_LOAD {
  for (DType t : kTypes) {
    register_variant<Args>(
        {.slot = slot_key("matvec", t),
         .name = "warp_row",
         .backend = Backend::cuda,
         .equality = Equality::bitwise,
         .rationale = "One warp per row; lane l dots blocks l, l+32, ... of the row with x read "
                      "from global memory, in order, then an xor-shuffle tree and a lane-0 store. "
                      "The plain version, and the float order every bitwise variant keeps.",
         .params = {{.name = "warps", .min = 1, .max = mv::kMaxWarps, .def = 4,
                     .doc = "warps (rows) per thread block"}},
         .applies = [](const Shape& s) { return require(s.cols % 32 == 0, "cols % 32 != 0"); },
         .bytes = [t](const Shape& s) { return traffic::matvec_bytes(t, s, false); },
         .flops = [](const Shape& s) { return traffic::matvec_flops(s); }},
        &launch);
  }
}

}  // namespace swapbench::matvec
