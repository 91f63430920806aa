// `matvec_residual.<type>` (q8_0, q4_0, q4_1; rows of a multiple of 16 bytes) with
// matvec.coalesced's kernel and spread epilogue, shaped as matvec.overlap: 1/share of the SM's
// shared memory per block, one block per SM, optional trigger before griddepcontrol.wait, so the
// launches around it overlap under PDL. Saves the gap between launches (block launch, first DRAM
// trip). Not bit-identical: x is rounded to 16 bits per 32-block (NMSE <= 7.5e-9) and sums are
// reassociated, exactly as matvec_residual.coalesced. In place (y == residual) is safe: each
// element is read, then written, by one lane, after griddepcontrol.wait.
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
    mvc::launch<decltype(t)::value, mvc::Epilogue::add_residual>(j, mvc::overlap_tuning(ctx), ctx,
                                                                 "matvec_residual.overlap");
  });
}

}  // namespace

SB_ON_LOAD {
  for (DType t : mvc::kTypes) {
    register_variant<Args>(
        {.slot = matvec::slot_key("matvec_residual", t),
         .name = "overlap",
         .backend = Backend::cuda,
         .equality = Equality::reassociates,
         .rationale =
             "matvec_residual.coalesced (16-byte cp.async ring, x as 16-bit integers, "
             "two __dp4a per weight word, lane r adds residual[row r]) shaped like "
             "matvec.overlap: 1/share of the SM's shared memory per block, one block per "
             "SM, next launch optionally triggered before griddepcontrol.wait, so launches overlap "
             "under PDL. x rounding (NMSE <= 7.5e-9) and reassociated sums make it not "
             "bitwise. In place safe.",
         .params = mvc::overlap_params(),
         .applies = [t](const Shape& s) { return mvc::applies(t, s.cols); },
         .bytes = [t](const Shape& s) { return traffic::matvec_bytes(t, s, true); },
         .flops = [](const Shape& s) { return traffic::matvec_flops(s); },
         .fallback = "shuffle"},
        &launch);
  }
}

}  // namespace swapbench::matvec_residual
