// Against cpu_ref: sums squares in 8 interleaved float lanes (as SIMD code would), not one double.
// Saves latency on wide vectors (independent adds pipeline; the compiler can vectorise them).
// Not bitwise: float partial sums in a different order round differently (reassociates).
#include <cmath>

#include "kernels/common/traffic.h"
#include "kernels/rmsnorm/rmsnorm.h"

namespace swapbench::rmsnorm {
namespace {

void launch(const Args& a, const LaunchCtx&) {
  constexpr int kLanes = 8;
  float lane[kLanes] = {};
  int32_t i = 0;
  for (; i + kLanes <= a.n; i += kLanes)
    for (int l = 0; l < kLanes; ++l) lane[l] += a.x[i + l] * a.x[i + l];
  for (; i < a.n; ++i) lane[0] += a.x[i] * a.x[i];
  float ss = 0.0f;
  for (float v : lane) ss += v;
  const float scale = 1.0f / std::sqrt(ss / float(a.n) + a.eps);
  for (int32_t j = 0; j < a.n; ++j) a.out[j] = a.x[j] * scale * a.weight[j];
}

}  // namespace

SB_ON_LOAD {
  register_variant<Args>({.slot = "rmsnorm",
                          .name = "cpu_lanes",
                          .backend = Backend::cpu,
                          .equality = Equality::reassociates,
                          .rationale = "Eight float partial sums instead of one double sum: "
                                       "vectorisable, but rounds differently from the reference.",
                          .bytes = [](const Shape& s) { return traffic::rmsnorm_bytes(s); },
                          .flops = [](const Shape& s) { return traffic::rmsnorm_flops(s); }},
                         &launch);
}

}  // namespace swapbench::rmsnorm
