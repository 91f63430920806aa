// The matvec*.overlap variants under programmatic dependent launch: they share SMs with the
// launches around them and load weights (and the residual) before their griddepcontrol.wait, so a
// chain in which every launch reads what the one before wrote (x -> a -> b -> attention -> c ->
// x += ... -> gate/up -> x += ...) must give the same bytes with PDL off, PDL on eager, and PDL
// on replayed from a CUDA graph, for every tuning of the parameters that changes how launches
// overlap. The attention is attn_decode.warp_tile, which lets the residual matvec after it launch
// before its own wait (kernels/common/launch.cuh), as wo in the decode step: that matvec may then
// run beside the launch two back, and must still read its residual and write x in order.
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "gpu/gpu_support.h"
#include "kernels/attn_decode/attn_decode.h"
#include "kernels/common/cuda_check.h"
#include "kernels/common/variant.h"
#include "kernels/matvec/matvec.h"
#include "kernels/matvec_pair/matvec_pair.h"
#include "kernels/matvec_residual/matvec_residual.h"

namespace swapbench {
namespace {

using test::DeviceBuffer;

constexpr int kDim = 1024, kFfn = 2048, kRounds = 6;
// The attention step: kDim = kHeads * kHeadDim query floats over a cache of kCtx random rows, at
// position kPos (rows 0..kPos attended).
constexpr int kHeads = 8, kKvHeads = 2, kHeadDim = 128, kCtx = 64, kPos = 41;

// Random GGUF rows of `type` whose block scales are 2^-12 (fp16 0x0C00), so values stay O(1)
// through the chain; the quantized bytes are random.
std::vector<uint8_t> random_rows(DType type, int rows, int cols, uint32_t seed) {
  const size_t rb = row_bytes(type, uint64_t(cols));
  const size_t block = rb / size_t(cols / 32);
  std::vector<uint8_t> w(rb * size_t(rows));
  std::mt19937 g(seed);
  for (uint8_t& b : w) b = uint8_t(g());
  for (size_t off = 0; off < w.size(); off += block) {
    w[off] = 0x00;
    w[off + 1] = 0x0C;
  }
  return w;
}

struct Chain {
  DType type;
  DeviceBuffer w1, w2, w3, wg, wu, wd;
  DeviceBuffer x, a, b, c, gate, up;
  DeviceBuffer k_cache, v_cache, pos;
  std::vector<float> x0;

  explicit Chain(DType t) : type(t) {
    auto up_rows = [&](DeviceBuffer& d, int rows, int cols, uint32_t seed) {
      const std::vector<uint8_t> h = random_rows(t, rows, cols, seed);
      d = DeviceBuffer(h.size());
      d.upload(h.data(), h.size());
    };
    up_rows(w1, kDim, kDim, 1);
    up_rows(w2, kDim, kDim, 2);
    up_rows(w3, kDim, kDim, 3);
    up_rows(wg, kFfn, kDim, 4);
    up_rows(wu, kFfn, kDim, 5);
    up_rows(wd, kDim, kFfn, 6);
    x = DeviceBuffer(4 * kDim);
    a = DeviceBuffer(4 * kDim);
    b = DeviceBuffer(4 * kDim);
    c = DeviceBuffer(4 * kDim);
    gate = DeviceBuffer(4 * kFfn);
    up = DeviceBuffer(4 * kFfn);
    std::mt19937 g(7);
    std::normal_distribution<float> nd;
    x0.resize(kDim);
    for (float& v : x0) v = nd(g);
    std::vector<float> cache(size_t(kCtx) * kKvHeads * kHeadDim);
    for (DeviceBuffer* d : {&k_cache, &v_cache}) {
      for (float& v : cache) v = nd(g);
      *d = DeviceBuffer(4 * cache.size());
      d->upload(cache.data(), 4 * cache.size());
    }
    const int32_t p = kPos;
    pos = DeviceBuffer(sizeof p);
    pos.upload(&p, sizeof p);
  }

  // Resets x, poisons the rest, runs kRounds rounds of the chain, returns every output's bytes.
  std::vector<uint8_t> run(const Params& params, bool pdl, bool graph, cudaStream_t s) {
    x.upload(x0.data(), 4 * kDim);
    for (DeviceBuffer* d : {&a, &b, &c, &gate, &up}) d->poison();
    SB_CUDA_CHECK(cudaDeviceSynchronize());
    const LaunchCtx ctx{s, nullptr, &params, pdl};
    const Params attn_params{{"warps", 8}, {"splits", 1}};
    const LaunchCtx attn_ctx{s, nullptr, &attn_params, pdl};
    const Registry& reg = Registry::instance();
    const Variant* mv = reg.find(matvec::slot_key("matvec", type), "overlap");
    const Variant* pair = reg.find(matvec::slot_key("matvec_pair", type), "overlap");
    const Variant* res = reg.find(matvec::slot_key("matvec_residual", type), "overlap");
    const Variant* attn = reg.find("attn_decode", "warp_tile");
    EXPECT_TRUE(mv && pair && res && attn)
        << "overlap variants for " << name(type) << " and attn_decode.warp_tile registered";
    if (!mv || !pair || !res || !attn) return {};
    float* xp = x.as<float>();
    auto issue = [&] {
      for (int r = 0; r < kRounds; ++r) {
        mv->launch(matvec::Args{w1.get(), xp, a.as<float>(), kDim, kDim, type}, ctx);
        mv->launch(matvec::Args{w2.get(), a.as<float>(), b.as<float>(), kDim, kDim, type}, ctx);
        attn->launch(
            attn_decode::Args{b.as<float>(), k_cache.as<float>(), v_cache.as<float>(),
                              c.as<float>(), pos.as<int32_t>(), kHeads, kKvHeads, kHeadDim, kCtx},
            attn_ctx);
        res->launch(matvec_residual::Args{w3.get(), c.as<float>(), xp, xp, kDim, kDim, type}, ctx);
        pair->launch(matvec_pair::Args{wg.get(), wu.get(), xp, gate.as<float>(), up.as<float>(),
                                       kFfn, kFfn, kDim, type},
                     ctx);
        res->launch(matvec_residual::Args{wd.get(), gate.as<float>(), xp, xp, kDim, kFfn, type},
                    ctx);
      }
    };
    if (graph) {
      cudaGraph_t g = nullptr;
      cudaGraphExec_t e = nullptr;
      SB_CUDA_CHECK(cudaStreamBeginCapture(s, cudaStreamCaptureModeGlobal));
      issue();
      SB_CUDA_CHECK(cudaStreamEndCapture(s, &g));
      SB_CUDA_CHECK(cudaGraphInstantiate(&e, g, 0));
      SB_CUDA_CHECK(cudaGraphLaunch(e, s));
      SB_CUDA_CHECK(cudaStreamSynchronize(s));
      SB_CUDA_CHECK(cudaGraphExecDestroy(e));
      SB_CUDA_CHECK(cudaGraphDestroy(g));
    } else {
      issue();
      SB_CUDA_CHECK(cudaStreamSynchronize(s));
    }
    std::vector<uint8_t> out;
    for (DeviceBuffer* d : {&x, &a, &b, &c, &gate, &up}) {
      const std::vector<uint8_t> h = d->download_all();
      out.insert(out.end(), h.begin(), h.end());
    }
    return out;
  }
};

size_t nan_count(const std::vector<uint8_t>& bytes) {
  size_t n = 0;
  for (size_t i = 0; i + 4 <= bytes.size(); i += 4) {
    float f;
    std::memcpy(&f, bytes.data() + i, 4);
    n += f != f;
  }
  return n;
}

Params tuning(int64_t warps, int64_t share, int64_t l2, int64_t pieces_before_wait = 3) {
  return {{"warps", warps},  {"rows_per_warp", 2}, {"share", share},
          {"l2_groups", l2}, {"share_max_mb", 0},  {"pieces_before_wait", pieces_before_wait}};
}

TEST(OverlapPdl, ChainGivesTheSameBytesWithPdlOffOnAndReplayed) {
  SB_REQUIRE_GPU();
  cudaStream_t s = nullptr;
  SB_CUDA_CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
  for (DType t : {DType::q8_0, DType::q4_0}) {
    Chain c(t);
    for (const Params& p : {tuning(8, 2, 0), tuning(8, 2, 4), tuning(16, 1, 0), tuning(4, 3, 2),
                            tuning(16, 1, 4), tuning(16, 1, 0, 1), tuning(8, 2, 4, 7)}) {
      const std::string what = std::string(name(t)) + " warps=" + std::to_string(p.at("warps")) +
                               " share=" + std::to_string(p.at("share")) +
                               " l2=" + std::to_string(p.at("l2_groups")) +
                               " pre=" + std::to_string(p.at("pieces_before_wait"));
      const std::vector<uint8_t> off = c.run(p, false, false, s);
      ASSERT_FALSE(off.empty()) << what;
      EXPECT_EQ(nan_count(off), 0u) << what << ": an output was never written";
      EXPECT_TRUE(c.run(p, true, false, s) == off) << what << ": PDL eager differs from PDL off";
      EXPECT_TRUE(c.run(p, true, true, s) == off) << what << ": PDL graph differs from PDL off";
    }
  }
  SB_CUDA_CHECK(cudaStreamDestroy(s));
}

}  // namespace
}  // namespace swapbench
