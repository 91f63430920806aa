// `matvec_pair.<type>` (q8_0, q4_0, q4_1; rows of a multiple of 16 bytes) in one launch over the
// rows of both matrices with matvec.coalesced's kernel, shaped as matvec.overlap: 1/share of the
// SM's shared memory per block, one block per SM, optional trigger before griddepcontrol.wait, so
// the launches around it overlap under PDL. Saves a launch per pair and the gap between launches.
// Not bit-identical: x is rounded to 16 bits per 32-block (NMSE <= 7.5e-9) and sums are
// reassociated, exactly as matvec_pair.coalesced.
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
    mvc::launch<decltype(t)::value, mvc::Epilogue::store>(j, mvc::overlap_tuning(ctx), ctx,
                                                          "matvec_pair.overlap");
  });
}

}  // namespace

SB_ON_LOAD {
  for (DType t : mvc::kTypes) {
    register_variant<Args>(
        {.slot = matvec::slot_key("matvec_pair", t),
         .name = "overlap",
         .backend = Backend::cuda,
         .equality = Equality::reassociates,
         .rationale =
             "One launch over the rows of both matrices with matvec.coalesced's kernel "
             "(16-byte cp.async ring, x as 16-bit integers, two __dp4a per weight word), "
             "shaped like matvec.overlap: 1/share of the SM's shared memory per block, one "
             "block per SM, next launch optionally triggered before griddepcontrol.wait, so "
             "launches "
             "overlap under PDL. x rounding (NMSE <= 7.5e-9) and reassociated sums make "
             "it not bitwise.",
         .params = mvc::overlap_params(),
         .applies = [t](const Shape& s) { return mvc::applies(t, s.cols); },
         .bytes = [t](const Shape& s) { return traffic::matvec_bytes(t, s, false); },
         .flops = [](const Shape& s) { return traffic::matvec_flops(s); },
         .fallback = "fused"},
        &launch);
  }
}

}  // namespace swapbench::matvec_pair
