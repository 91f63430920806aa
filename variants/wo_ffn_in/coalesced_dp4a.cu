// `wo_ffn_in.<type>` (q8_0, q4_0, q4_1; rows of a multiple of 16 bytes): wo and the FFN input in
// ONE launch of the coalesced ring kernel (matvec*.coalesced_dp4a's: 16-byte cp.async ring, x as
// int8 per 32-block, one __dp4a per weight word). Each warp takes its Wo row pairs first (x += Wo
// att, lane r adding the residual as matvec_residual.coalesced_dp4a), then gate/up row pairs as
// ffn_in.coalesced_dp4a (rmsnorm of the new x, silu(gate) * up by lane 0). Between them a
// grid-wide barrier (wo_ffn_io.cuh): the new x is whole only when every block's Wo rows are in.
// What it saves: the boundary between the two launches, where the ring drains at the end of wo
// and refills at the start of ffn_in (the FFN's rows cannot be copied until wo's blocks leave the
// SMs). Here a warp's ring holds FFN pieces while wo's last dots and stores, the barrier and xn's
// staging run. Not bit-identical: x and xn are rounded to 8 bits per element, as in the two
// dp4a variants it joins, so NMSE <= kDp4aNmseBound (1e-3, docs: dp4a_bound.h) on x and act.
// Measured (H200, llama-8b q4_0, docs/results.md, thirteenth session): 577-593 tok/s against
// 643-647 for the two launches; the trace puts the loss after the barrier, in the FFN phase.
// Holding FFN pieces back until the barrier, or prefetching more FFN rows into L2 while waiting,
// lost more.
#include <stdexcept>

#include "kernels/common/traffic.h"
#include "kernels/matvec/matvec.h"
#include "kernels/wo_ffn_in/wo_ffn_in.h"
#include "variants/matvec/coalesced_norm.cuh"
#include "variants/ffn_in/shape_rules.h"
#include "variants/wo_ffn_in/wo_ffn_io.cuh"

namespace swapbench::wo_ffn_in {

// The same shape as ffn_in's (rows, rows2 = the FFN's, cols = dim): the same rule.
using ffn_in::shape_ok;
namespace {

constexpr const char* kWhat = "wo_ffn_in.coalesced_dp4a";

void launch(const Args& a, const LaunchCtx& ctx) {
  if (ctx.zeroed == nullptr)
    throw std::invalid_argument(std::string(kWhat) + ": no zeroed memory for its grid barrier");
  const ffn_in::Args f{a.x, a.norm, a.eps, a.w_gate, a.w_up, a.act, a.rows, a.dim, a.type};
  const WoFfnIo io{static_cast<const uint8_t*>(a.wo),
                   a.att,
                   a.x,
                   a.norm,
                   a.eps,
                   a.dim,
                   ffn_in::gate_up_swiglu_op(f),
                   static_cast<uint32_t*>(ctx.zeroed)};
  mvc::Job j{};
  j.rows1 = a.dim + 2 * a.rows;  // Wo's rows, then the gate/up pairs (WoFfnIo::row)
  j.rows_total = j.rows1;
  j.nb = a.dim / 32;
  j.row_bytes = row_bytes(a.type, static_cast<uint64_t>(a.dim));
  mvc::Tuning tu;
  const int64_t warps = ctx.param("warps");
  tu.warps = warps > 0 ? warps : mvc::balanced_warps(a.dim / 2 + a.rows, mvc::device_limits().sms);
  tu.rows = 2;
  tu.pieces_before_wait = ctx.param("pieces_before_wait");
  tu.l2_groups = ctx.param("l2_groups");
  mvc::dispatch_type(a.type, [&](auto tc) {
    mvc::launch_io<decltype(tc)::value, 8>(j, io, tu, ctx, kWhat);
  });
}

}  // namespace

SB_ON_LOAD {
  mvc::register_per_type(
      "wo_ffn_in",
      {.name = "coalesced_dp4a",
       .rationale =
           "wo (x += Wo att) and the FFN input (rmsnorm, gate and up, swiglu) in one launch of the "
           "coalesced ring kernel with int8 x, a grid-wide barrier between them: the FFN's rows "
           "stream while wo's last rows are summed, instead of the ring draining and refilling at "
           "the boundary of two launches. x and xn rounded to 8 bits: NMSE <= 1e-3 "
           "(dp4a_bound.h), not bitwise. Needs its whole grid resident at once (one wave). "
           "Measured ~10% slower than the two launches on llama-8b q4_0 (H200): kept as the "
           "measured alternative, not a winner.",
       .params = {{.name = "warps",
                   .min = 0,
                   .max = mvc::kMaxWarps,
                   .def = 0,
                   .doc = "warps (row pairs in flight) per thread block; 0: the most of 16..8 that "
                          "fill the last round of pairs over one block per SM to 90% "
                          "(mvc::balanced_warps); fewer for small matrices"},
                  {.name = "pieces_before_wait",
                   .min = 1,
                   .max = 7,
                   .def = 7,  // 581 against 577 tok/s for 3 (llama-8b q4_0, docs/results.md)
                   .doc = "ring pieces each warp copies before waiting for the previous launch, "
                          "and FFN pieces before the barrier (the rest after x's loads; at most "
                          "the ring's stages - 1 take effect)"},
                  {.name = "l2_groups",
                   .min = 0,
                   .max = 16,
                   .def = 0,
                   .doc = "FFN row-pair groups per warp prefetched into L2 before the barrier, "
                          "while the block waits for the slowest one"}},
       .zeroed_bytes = [](const Shape&) { return 2 * sizeof(uint32_t); }},
      [](VariantInfo& v, DType t) {
        v.applies = [t](const Shape& s) -> std::optional<std::string> {
          if (auto why = shape_ok(s)) return why;
          return mvc::applies(t, s.cols);
        };
        v.bytes = [t](const Shape& s) { return traffic::wo_ffn_in_bytes(t, s); };
        v.flops = [](const Shape& s) { return traffic::wo_ffn_in_flops(s); };
        v.fallback = "unfused";
      },
      &launch);
}

}  // namespace swapbench::wo_ffn_in
