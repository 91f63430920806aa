// `matvec.<type>` like v3 but with a 4 KB shared buffer (1024 floats): x must fit in one tile,
// so it applies up to 1024 columns and falls back to v3 above.
// Saves occupancy: a quarter of v3's shared memory per block, so more blocks are resident per
// SM on the small matrices of small models, where latency rather than bandwidth bounds the step.
// Bit-identical to warp_row (and v3): only where x is read from differs.
#include "kernels/common/traffic.h"
#include "kernels/matvec/matvec.h"
#include "variants/matvec/matvec_kernels.cuh"

namespace swapbench::matvec {
namespace {

constexpr int kTile = 1024;  // floats: 4 KB of static shared memory per block

void launch(const Args& a, const LaunchCtx& ctx) {
  const mv::Job j = mv::single_job(a.w, a.x, nullptr, a.y, a.rows, a.cols, a.type);
  mv::dispatch_type(a.type, [&](auto t) {
    mv::dispatch_rows<4>(ctx.param("rows_per_warp"), [&](auto r) {
      mv::launch_matvec<decltype(t)::value, decltype(r)::value, kTile, mv::Epilogue::lane0>(
          j, ctx.param("warps"), ctx, "matvec.v3_small");
    });
  });
}

}  // namespace

SB_ON_LOAD {
  for (DType t : kTypes) {
    register_variant<Args>(
        {.slot = slot_key("matvec", t),
         .name = "v3_small",
         .backend = Backend::cuda,
         .equality = Equality::bitwise,
         .rationale = "v3 with a 4 KB x buffer (1024 floats, one tile): a quarter of the shared "
                      "memory, so more blocks fit per SM on small matrices. Valid up to 1024 "
                      "columns (falls back to v3); bitwise equal to warp_row.",
         .params = {{.name = "warps", .min = 1, .max = mv::kMaxWarps, .def = 4,
                     .doc = "warps per thread block"},
                    {.name = "rows_per_warp", .min = 1, .max = 4, .def = 2,
                     .doc = "rows per warp, rounded down to 1, 2 or 4"}},
         .applies =
             [](const Shape& s) -> std::optional<std::string> {
               if (s.cols % 32 != 0) return "cols % 32 != 0";
               return require(s.cols <= kTile, "cols " + std::to_string(s.cols) +
                                                   " > 1024: x does not fit the 4 KB buffer");
             },
         .bytes = [t](const Shape& s) { return traffic::matvec_bytes(t, s, false); },
         .flops = [](const Shape& s) { return traffic::matvec_flops(s); },
         .fallback = "v3"},
        &launch);
  }
}

}  // namespace swapbench::matvec
