// `matvec_pair.<type>` in ONE launch whose grid covers rows1 + rows2: each warp dots rows of W1
// or of W2, with x staged per thread block in a 16 KB shared buffer as in matvec.v3.
// Saves a launch (and its tail) per pair, and reads x from L2 once per block for both matrices.
// Bit-identical to `separate`: each row keeps the warp_row block dot, lane -> block mapping,
// order and shuffle tree; only where x is read from and which rows share a launch differ.
#include "kernels/common/traffic.h"
#include "kernels/matvec/matvec.h"
#include "kernels/matvec_pair/matvec_pair.h"
#include "variants/matvec/matvec_kernels.cuh"

namespace swapbench::matvec_pair {
namespace {

constexpr int kTile = 4096;  // floats: 16 KB of static shared memory per block

void launch(const Args& a, const LaunchCtx& ctx) {
  const mv::Job j = mv::pair_job(a.w1, a.w2, a.x, a.y1, a.y2, a.rows1, a.rows2, a.cols, a.type);
  mv::dispatch_type(a.type, [&](auto t) {
    mv::dispatch_rows<2>(ctx.param("rows_per_warp"), [&](auto r) {
      mv::launch_matvec<decltype(t)::value, decltype(r)::value, kTile, mv::Epilogue::lane0>(
          j, ctx.param("warps"), ctx, "matvec_pair.fused");
    });
  });
}

}  // namespace

SB_ON_LOAD {
  for (DType t : matvec::kTypes) {
    register_variant<Args>(
        {.slot = matvec::slot_key("matvec_pair", t),
         .name = "fused",
         .backend = Backend::cuda,
         .equality = Equality::bitwise,
         .rationale = "One launch over the rows of both matrices; x staged once per thread block "
                      "in a 16 KB swizzled shared buffer and shared by the W1 and W2 rows of the "
                      "block. One launch instead of two; bitwise equal to `separate`.",
         .params = {{.name = "warps", .min = 1, .max = mv::kMaxWarps, .def = 8,
                     .doc = "warps per thread block"},
                    {.name = "rows_per_warp", .min = 1, .max = 2, .def = 1,
                     .doc = "rows per warp (1 or 2)"}},
         .applies = [](const Shape& s) { return require(s.cols % 32 == 0, "cols % 32 != 0"); },
         .bytes = [t](const Shape& s) { return traffic::matvec_bytes(t, s, false); },
         .flops = [](const Shape& s) { return traffic::matvec_flops(s); }},
        &launch);
  }
}

}  // namespace swapbench::matvec_pair
