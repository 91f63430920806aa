// `matvec.<type>` with x staged once per thread block into a 16 KB shared buffer (4096 floats,
// tile by tile), several warps per block, each warp `rows_per_warp` rows.
// Saves bandwidth and L1 wavefronts: x is read from L2 once per block instead of once per warp,
// and from a bank-swizzled buffer; rows_per_warp > 1 reuses each x load for several rows.
// Bit-identical to warp_row: same block dot, lane -> block mapping, order and shuffle tree; only
// where x is read from and how many rows a warp holds differ.
#include "kernels/common/traffic.h"
#include "kernels/matvec/matvec.h"
#include "variants/matvec/matvec_kernels.cuh"

namespace swapbench::matvec {
namespace {

constexpr int kTile = 4096;  // floats: 16 KB of static shared memory per block

void launch(const Args& a, const LaunchCtx& ctx) {
  const mv::Job j = mv::single_job(a.w, a.x, nullptr, a.y, a.rows, a.cols, a.type);
  mv::dispatch_type(a.type, [&](auto t) {
    mv::dispatch_rows<4>(ctx.param("rows_per_warp"), [&](auto r) {
      mv::launch_matvec<decltype(t)::value, decltype(r)::value, kTile, mv::Epilogue::lane0>(
          j, ctx.param("warps"), ctx, "matvec.v3");
    });
  });
}

}  // namespace

SB_ON_LOAD {
  for (DType t : kTypes) {
    register_variant<Args>(
        {.slot = slot_key("matvec", t),
         .name = "v3",
         .backend = Backend::cuda,
         .equality = Equality::bitwise,
         .rationale = "Stages x into a 16 KB shared buffer (4096 floats, tile by tile) once per "
                      "thread block, swizzled so the lanes' 16-byte reads are conflict-free; each "
                      "warp dots rows_per_warp rows with the warp_row order. Less L2 and L1 "
                      "traffic for x; bitwise equal to warp_row.",
         .params = {{.name = "warps", .min = 1, .max = mv::kMaxWarps, .def = 8,
                     .doc = "warps per thread block"},
                    {.name = "rows_per_warp", .min = 1, .max = 4, .def = 2,
                     .doc = "rows per warp, rounded down to 1, 2 or 4"}},
         .applies = [](const Shape& s) { return require(s.cols % 32 == 0, "cols % 32 != 0"); },
         .bytes = [t](const Shape& s) { return traffic::matvec_bytes(t, s, false); },
         .flops = [](const Shape& s) { return traffic::matvec_flops(s); }},
        &launch);
  }
}

}  // namespace swapbench::matvec
