// What matvec*.coalesced, matvec*.coalesced_dp4a and matvec*.overlap share around their kernel
// (coalesced_kernels.cuh): the Job of each slot's arguments, coalesced's two parameters and their
// Tuning, the launch for a runtime weight type, and one registration of a variant name for q8_0,
// q4_0 and q4_1 of a slot family. Each variant file keeps what makes it a variant: its kernel
// flavour (epilogue, x width, Tuning), its rationale, and the SB_ON_LOAD that registers it.
#pragma once

#include <utility>
#include <vector>

#include "kernels/common/traffic.h"
#include "kernels/common/variant.h"
#include "kernels/matvec/matvec.h"
#include "kernels/matvec_pair/matvec_pair.h"
#include "kernels/matvec_residual/matvec_residual.h"
#include "variants/matvec/coalesced_kernels.cuh"

namespace swapbench::mvc {

// A slot family's facts, the same for each of its coalesced variants.
struct Family {
  const char* slot;       // slot keys are <slot>.<type> (matvec::slot_key)
  const char* fallback;   // the variant of the slot used where applies() says no
  bool residual;          // the slot reads a residual vector too (traffic::matvec_bytes)
  const char* warps_doc;  // coalesced_params(): the docs of "warps" and "rows_per_warp"
  const char* rows_doc;
  bool pair = false;  // two matrices per launch (applies_rows)
};
inline constexpr const char* kWarpsDoc = "warps per thread block (fewer for small matrices)";
inline constexpr const char* kRowsDoc =
    "rows per warp group, 1 or 2 (1 for small matrices; rows that are not whole 16-byte copies "
    "go 2 or 4 to a group, whatever this says: mvc::span_rows)";
inline constexpr Family kMatvec{"matvec", "v3", false, kWarpsDoc,
                                "rows per warp group, 1 or 2 (each x load serves both; 1 for "
                                "small matrices; rows that are not whole 16-byte copies go 2 or "
                                "4 to a group, whatever this says: mvc::span_rows)"};
inline constexpr Family kMatvecPair{"matvec_pair", "fused", false, "warps per thread block",
                                    kRowsDoc,      true};
inline constexpr Family kMatvecResidual{"matvec_residual", "shuffle", true, kWarpsDoc, kRowsDoc};

// One matrix, y = W x, or y = residual + W x (mv::single_job); both matrices of a pair in one
// launch, rows [0, rows1) of w1 -> y1, then those of w2 -> y2 (mv::pair_job).
inline Job job(const matvec::Args& a) {
  return Job{mv::single_job(a.w, a.x, nullptr, a.y, a.rows, a.cols, a.type)};
}
inline Job job(const matvec_residual::Args& a) {
  return Job{mv::single_job(a.w, a.x, a.residual, a.y, a.rows, a.cols, a.type)};
}
inline Job job(const matvec_pair::Args& a) {
  return Job{mv::pair_job(a.w1, a.w2, a.x, a.y1, a.y2, a.rows1, a.rows2, a.cols, a.type)};
}

// The parameters of matvec*.coalesced and matvec*.coalesced_dp4a, and the Tuning they give
// (the rest as coalesced: all of the SM's shared memory, no L2 prefetch).
inline std::vector<ParamSpec> coalesced_params(const Family& f) {
  return {{.name = "warps", .min = 1, .max = kMaxWarps, .def = 16, .doc = f.warps_doc},
          {.name = "rows_per_warp", .min = 1, .max = 2, .def = 2, .doc = f.rows_doc},
          pieces_before_wait_param()};
}
inline Tuning coalesced_tuning(const LaunchCtx& ctx) {
  Tuning tu;
  tu.warps = ctx.param("warps");
  tu.rows = ctx.param("rows_per_warp");
  tu.pieces_before_wait = ctx.param("pieces_before_wait");
  return tu;
}

// launch<T, E, XB> for the weight type `t` known at run time (q8_0, q4_0, q4_1).
template <Epilogue E, int XB = 16>
void launch_typed(DType t, const Job& j, const Tuning& tu, const LaunchCtx& ctx, const char* what) {
  dispatch_type(t, [&](auto tc) { launch<decltype(tc)::value, E, XB>(j, tu, ctx, what); });
}

// Registers `info` once per weight type of kTypes as <slot>.<type>, a CUDA variant that
// reassociates (every user of this kernel rounds x and sums in integers); `complete(v, t)` fills
// in what depends on the family and the type.
template <class Args, class Complete>
void register_per_type(const char* slot, const VariantInfo& info, Complete&& complete,
                       void (*launcher)(const Args&, const LaunchCtx&)) {
  for (DType t : kTypes) {
    VariantInfo v = info;
    v.slot = matvec::slot_key(slot, t);
    v.backend = Backend::cuda;
    v.equality = Equality::reassociates;
    complete(v, t);
    register_variant<Args>(std::move(v), launcher);
  }
}

// Registers `info` (its name, rationale and params; the rest is set here) for each of kTypes in
// family `f`: applies() and the matvec bytes and flops of the type.
template <class Args>
void register_coalesced(const Family& f, const VariantInfo& info,
                        void (*launcher)(const Args&, const LaunchCtx&)) {
  register_per_type(
      f.slot, info,
      [&f](VariantInfo& v, DType t) {
        v.applies = [t, pair = f.pair](const Shape& s) { return applies_rows(t, s, pair); };
        v.bytes = [t, residual = f.residual](const Shape& s) {
          return traffic::matvec_bytes(t, s, residual);
        };
        v.flops = [](const Shape& s) { return traffic::matvec_flops(s); };
        v.fallback = f.fallback;
      },
      launcher);
}

}  // namespace swapbench::mvc
