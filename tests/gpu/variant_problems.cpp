// The problems of the variant correctness tests: one builder per slot family.
#include "gpu/variant_problems.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <thread>
#include <utility>

#include "gpu/gpu_support.h"
#include "kernels/argmax/argmax.h"
#include "kernels/attn_decode/attn_decode.h"
#include "kernels/attn_in/attn_in.h"
#include "kernels/common/quant_cpu.h"
#include "kernels/common/rope_table.h"
#include "kernels/embed/embed.h"
#include "kernels/ffn_in/ffn_in.h"
#include "kernels/matvec/matvec.h"
#include "kernels/matvec_pair/matvec_pair.h"
#include "kernels/matvec_residual/matvec_residual.h"
#include "kernels/rmsnorm/rmsnorm.h"
#include "kernels/rope/rope.h"
#include "kernels/swiglu/swiglu.h"
#include "kernels/wo_ffn_in/wo_ffn_in.h"

namespace swapbench::test::harness {

// Runs fn(begin, end) over [0, n) on up to hardware_concurrency threads.
void parallel_for(size_t n, size_t grain, const std::function<void(size_t, size_t)>& fn) {
  const size_t hw = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 32);
  const size_t parts = std::min(hw, (n + grain - 1) / std::max<size_t>(grain, 1));
  if (parts <= 1) {
    fn(0, n);
    return;
  }
  std::vector<std::thread> threads;
  std::vector<std::exception_ptr> errors(parts);
  for (size_t k = 0; k < parts; ++k)
    threads.emplace_back([&, k] {
      try {
        fn(n * k / parts, n * (k + 1) / parts);
      } catch (...) {
        errors[k] = std::current_exception();
      }
    });
  for (std::thread& t : threads) t.join();
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
}

namespace {

constexpr int32_t kEmbedVocab = 64;  // rows of the test embedding table

// Uniform in [lo, hi), a pure function of (seed, stream, i): generation parallelises.
float uniform(uint64_t seed, uint64_t stream, uint64_t i, float lo, float hi) {
  const uint64_t u = mix64(seed ^ mix64(stream * 0x632be59bd9b4e019ull + i)) >> 40;  // 24 bits
  return lo + (hi - lo) * (static_cast<float>(u) * 0x1p-24f);
}

std::vector<uint8_t> as_bytes(const std::vector<float>& v) {
  std::vector<uint8_t> b(v.size() * sizeof(float));
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

Buffer input_f32(std::string name, size_t n, uint64_t seed, uint64_t stream, float lo, float hi) {
  std::vector<float> v(n);
  parallel_for(n, size_t(1) << 20, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) v[i] = uniform(seed, stream, i, lo, hi);
  });
  return {.name = std::move(name), .init = as_bytes(v)};
}

Buffer input_i32(std::string name, int32_t value) {
  Buffer b{.name = std::move(name), .init = std::vector<uint8_t>(sizeof value), .i32 = true};
  std::memcpy(b.init.data(), &value, sizeof value);
  return b;
}

Buffer output_f32(std::string name, size_t n) {
  const size_t bytes = n * sizeof(float);
  return {.name = std::move(name), .init = std::vector<uint8_t>(bytes, 0xFF), .out_len = bytes};
}

// rows x cols random weights in [-1, 1), quantized row by row to `type`.
Buffer weights(std::string name, DType type, int64_t rows, int64_t cols, uint64_t seed,
               uint64_t stream) {
  const uint64_t stride = row_bytes(type, uint64_t(cols));
  Buffer b{.name = std::move(name), .init = std::vector<uint8_t>(stride * uint64_t(rows))};
  parallel_for(size_t(rows), 64, [&](size_t r0, size_t r1) {
    std::vector<float> row(static_cast<size_t>(cols));
    for (size_t r = r0; r < r1; ++r) {
      for (size_t c = 0; c < row.size(); ++c)
        row[c] = uniform(seed, stream, r * row.size() + c, -1.0f, 1.0f);
      quantize_row(type, row.data(), b.init.data() + stride * r, cols);
    }
  });
  return b;
}

const float* f32(void* p) { return static_cast<const float*>(p); }
float* f32w(void* p) { return static_cast<float*>(p); }
int32_t* i32(void* p) { return static_cast<int32_t*>(p); }
const uint8_t* u8(void* p) { return static_cast<const uint8_t*>(p); }
int32_t narrow(int64_t v) { return static_cast<int32_t>(v); }

// Row range k of `parts` over `rows`.
std::pair<int32_t, int32_t> part_rows(int64_t rows, int k, int parts) {
  return {narrow(rows * k / parts), narrow(rows * (k + 1) / parts)};
}

Problem build_matvec(const Case& c, uint64_t seed) {
  const int32_t rows = narrow(c.shape.rows), cols = narrow(c.shape.cols);
  const DType t = c.type;
  const uint64_t stride = row_bytes(t, uint64_t(cols));
  Problem p;
  p.bufs = {weights("w", t, rows, cols, seed, 1), input_f32("x", size_t(cols), seed, 2, -1, 1),
            output_f32("y", size_t(rows))};
  p.launch = [=](const Variant& v, const Ptrs& q, const LaunchCtx& ctx) {
    v.launch(matvec::Args{q[0], f32(q[1]), f32w(q[2]), rows, cols, t}, ctx);
  };
  p.launch_part = [=](const Variant& v, const Ptrs& q, const LaunchCtx& ctx, int k, int parts) {
    const auto [r0, r1] = part_rows(rows, k, parts);
    if (r0 < r1)
      v.launch(matvec::Args{u8(q[0]) + stride * uint64_t(r0), f32(q[1]), f32w(q[2]) + r0, r1 - r0,
                            cols, t},
               ctx);
  };
  return p;
}

Problem build_matvec_pair(const Case& c, uint64_t seed) {
  const int32_t rows1 = narrow(c.shape.rows), rows2 = narrow(c.shape.rows2);
  const int32_t cols = narrow(c.shape.cols);
  const DType t = c.type;
  const uint64_t stride = row_bytes(t, uint64_t(cols));
  Problem p;
  p.bufs = {weights("w1", t, rows1, cols, seed, 1), weights("w2", t, rows2, cols, seed, 2),
            input_f32("x", size_t(cols), seed, 3, -1, 1), output_f32("y1", size_t(rows1)),
            output_f32("y2", size_t(rows2))};
  p.launch = [=](const Variant& v, const Ptrs& q, const LaunchCtx& ctx) {
    v.launch(
        matvec_pair::Args{q[0], q[1], f32(q[2]), f32w(q[3]), f32w(q[4]), rows1, rows2, cols, t},
        ctx);
  };
  p.launch_part = [=](const Variant& v, const Ptrs& q, const LaunchCtx& ctx, int k, int parts) {
    const auto [a0, a1] = part_rows(rows1, k, parts);
    const auto [b0, b1] = part_rows(rows2, k, parts);
    v.launch(
        matvec_pair::Args{u8(q[0]) + stride * uint64_t(a0), u8(q[1]) + stride * uint64_t(b0),
                          f32(q[2]), f32w(q[3]) + a0, f32w(q[4]) + b0, a1 - a0, b1 - b0, cols, t},
        ctx);
  };
  return p;
}

// y = residual + W x; in place (y == residual) the residual buffer is the output.
Problem build_matvec_residual(const Case& c, uint64_t seed) {
  const int32_t rows = narrow(c.shape.rows), cols = narrow(c.shape.cols);
  const DType t = c.type;
  const bool inplace = c.inplace;
  const uint64_t stride = row_bytes(t, uint64_t(cols));
  Problem p;
  p.bufs = {weights("w", t, rows, cols, seed, 1), input_f32("x", size_t(cols), seed, 2, -1, 1),
            input_f32("residual", size_t(rows), seed, 3, -1, 1)};
  if (inplace) {
    p.bufs[2].out_len = p.bufs[2].init.size();
    p.bufs[2].poison = false;
  } else {
    p.bufs.push_back(output_f32("y", size_t(rows)));
  }
  p.launch_part = [=](const Variant& v, const Ptrs& q, const LaunchCtx& ctx, int k, int parts) {
    const auto [r0, r1] = part_rows(rows, k, parts);
    if (r0 < r1)
      v.launch(matvec_residual::Args{u8(q[0]) + stride * uint64_t(r0), f32(q[1]), f32(q[2]) + r0,
                                     f32w(q[inplace ? 2 : 3]) + r0, r1 - r0, cols, t},
               ctx);
  };
  p.launch = [lp = p.launch_part](const Variant& v, const Ptrs& q, const LaunchCtx& ctx) {
    lp(v, q, ctx, 0, 1);
  };
  return p;
}

Problem build_embed(const Case& c, uint64_t seed) {
  const int32_t dim = narrow(c.shape.cols);
  const DType t = c.type;
  const int32_t token = narrow(int64_t(seed % uint64_t(kEmbedVocab - 1)) + 1);  // never row 0
  Problem p;
  p.bufs = {weights("table", t, kEmbedVocab, dim, seed, 1), input_i32("token", token),
            output_f32("out", size_t(dim))};
  p.bufs[2].exact = true;
  p.launch = [=](const Variant& v, const Ptrs& q, const LaunchCtx& ctx) {
    v.launch(embed::Args{q[0], i32(q[1]), f32w(q[2]), dim, t}, ctx);
  };
  return p;
}

Problem build_rmsnorm(const Case& c, uint64_t seed) {
  const int32_t n = narrow(c.shape.cols);
  Problem p;
  p.bufs = {input_f32("x", size_t(n), seed, 1, -2, 2),
            input_f32("weight", size_t(n), seed, 2, 0.5f, 1.5f), output_f32("out", size_t(n))};
  p.launch = [=](const Variant& v, const Ptrs& q, const LaunchCtx& ctx) {
    v.launch(rmsnorm::Args{f32(q[0]), f32(q[1]), f32w(q[2]), n, 1e-5f}, ctx);
  };
  return p;
}

Problem build_swiglu(const Case& c, uint64_t seed) {
  const int32_t n = narrow(c.shape.cols);
  Problem p;
  p.bufs = {input_f32("gate", size_t(n), seed, 1, -8, 8),
            input_f32("up", size_t(n), seed, 2, -2, 2), output_f32("out", size_t(n))};
  p.launch = [=](const Variant& v, const Ptrs& q, const LaunchCtx& ctx) {
    v.launch(swiglu::Args{f32(q[0]), f32(q[1]), f32w(q[2]), n}, ctx);
  };
  return p;
}

// Logits with the hard parts of the contract: NaNs (at index 0 and every 61st element), and the
// maximum value at up to five places (the lowest index must win), one of them next to the first.
Problem build_argmax(const Case& c, uint64_t seed) {
  const int32_t n = narrow(c.shape.cols);
  Buffer x = input_f32("x", size_t(n), seed, 1, -4, 4);
  auto* v = reinterpret_cast<float*>(x.init.data());
  if (n >= 2) {
    for (int32_t i = 0; i < n; i += 61) v[i] = NAN;
    const int32_t first = 1 + narrow(int64_t(mix64(seed) % uint64_t(n - 1)));
    v[first] = 5.0f;
    if (first + 1 < n) v[first + 1] = 5.0f;
    for (uint64_t k = 1; k <= 3; ++k)
      v[first + narrow(int64_t(mix64(seed + k) % uint64_t(n - first)))] = 5.0f;
  }
  Problem p;
  p.bufs = {std::move(x),
            {.name = "out", .init = std::vector<uint8_t>(4, 0xFF), .out_len = 4, .i32 = true}};
  p.launch = [=](const Variant& var, const Ptrs& q, const LaunchCtx& ctx) {
    var.launch(argmax::Args{f32(q[0]), n, i32(q[1])}, ctx);
  };
  return p;
}

// Rope base: llama-3's 500000 for head_dim 128, 10000 otherwise.
float rope_base(int64_t head_dim) { return head_dim >= 128 ? 500000.0f : 10000.0f; }

Problem build_rope(const Case& c, uint64_t seed) {
  const int32_t heads = narrow(c.shape.heads), kv = narrow(c.shape.kv_heads);
  const int32_t hd = narrow(c.shape.head_dim), pos = c.pos;
  const size_t row = size_t(kv) * size_t(hd), cache = size_t(c.shape.max_ctx) * row;
  const float base = rope_base(hd);
  Problem p;
  p.bufs = {input_f32("q", size_t(heads) * size_t(hd), seed, 1, -1, 1),
            input_f32("k", row, seed, 2, -1, 1),
            input_f32("v", row, seed, 3, -1, 1),
            input_f32("k_cache", cache, seed, 4, -1, 1),
            input_f32("v_cache", cache, seed, 5, -1, 1),
            input_i32("pos", pos)};
  p.bufs[0].out_len = p.bufs[0].init.size();  // q rotates in place
  p.bufs[0].poison = false;
  for (int b : {3, 4}) {  // only row pos of each cache is written
    p.bufs[size_t(b)].out_off = size_t(pos) * row * sizeof(float);
    p.bufs[size_t(b)].out_len = row * sizeof(float);
  }
  p.bufs[4].exact = true;  // v is copied, not computed
  p.launch = [=](const Variant& v, const Ptrs& q, const LaunchCtx& ctx) {
    v.launch(rope::Args{f32w(q[0]), f32(q[1]), f32(q[2]), f32w(q[3]), f32w(q[4]), i32(q[5]), heads,
                        kv, hd, hd, base},
             ctx);
  };
  return p;
}

// The whole cache is random, positions past pos included: reading them changes the result.
Problem build_attn(const Case& c, uint64_t seed) {
  const int32_t heads = narrow(c.shape.heads), kv = narrow(c.shape.kv_heads);
  const int32_t hd = narrow(c.shape.head_dim), ctx_len = narrow(c.shape.max_ctx);
  const size_t cache = size_t(ctx_len) * size_t(kv) * size_t(hd);
  Problem p;
  p.bufs = {input_f32("q", size_t(heads) * size_t(hd), seed, 1, -2, 2),
            input_f32("k_cache", cache, seed, 2, -1, 1),
            input_f32("v_cache", cache, seed, 3, -1, 1),
            output_f32("out", size_t(heads) * size_t(hd)), input_i32("pos", c.pos)};
  p.launch = [=](const Variant& v, const Ptrs& q, const LaunchCtx& ctx) {
    v.launch(attn_decode::Args{f32(q[0]), f32(q[1]), f32(q[2]), f32w(q[3]), i32(q[4]), heads, kv,
                               hd, ctx_len},
             ctx);
  };
  return p;
}

// attn_in::Args::rope_table as the engine fills it (fill_rope_table, on the device): a variant
// that loads row pos must write the bits of one that computes the angle (the bitwise suites),
// and one that loads another row rotates by another position's angle (the CPU reference).
Buffer device_rope_table(int64_t positions, int32_t rot_dim, float base) {
  test::DeviceBuffer d(size_t(positions) * size_t(rot_dim) * sizeof(float));
  fill_rope_table(d.as<float>(), narrow(positions), rot_dim, base, nullptr);
  return {.name = "rope_table", .init = d.download_all()};
}

// rmsnorm, Q/K/V, rope and the cache write in one call: q is written whole, one row of each
// cache (the rest of both caches is random and must stay untouched).
Problem build_attn_in(const Case& c, uint64_t seed) {
  const int32_t heads = narrow(c.shape.heads), kv = narrow(c.shape.kv_heads);
  const int32_t hd = narrow(c.shape.head_dim), dim = narrow(c.shape.cols), pos = c.pos;
  const size_t row = size_t(kv) * size_t(hd), cache = size_t(c.shape.max_ctx) * row;
  const DType t = c.type;
  const float base = rope_base(hd);
  Problem p;
  p.bufs = {input_f32("x", size_t(dim), seed, 1, -2, 2),
            input_f32("norm", size_t(dim), seed, 2, 0.5f, 1.5f),
            weights("wq", t, heads * hd, dim, seed, 3),
            weights("wk", t, kv * hd, dim, seed, 4),
            weights("wv", t, kv * hd, dim, seed, 5),
            output_f32("q", size_t(heads) * size_t(hd)),
            input_f32("k_cache", cache, seed, 6, -1, 1),
            input_f32("v_cache", cache, seed, 7, -1, 1),
            input_i32("pos", pos),
            device_rope_table(c.shape.max_ctx, hd, base)};
  for (int b : {6, 7}) {  // only row pos of each cache is written
    p.bufs[size_t(b)].out_off = size_t(pos) * row * sizeof(float);
    p.bufs[size_t(b)].out_len = row * sizeof(float);
  }
  p.launch = [=](const Variant& v, const Ptrs& q, const LaunchCtx& ctx) {
    v.launch(attn_in::Args{f32(q[0]), f32(q[1]), 1e-5f, q[2], q[3], q[4], f32w(q[5]), f32w(q[6]),
                           f32w(q[7]), i32(q[8]), dim, heads, kv, hd, hd, base, t, f32(q[9])},
             ctx);
  };
  return p;
}

Problem build_ffn_in(const Case& c, uint64_t seed) {
  const int32_t rows = narrow(c.shape.rows), dim = narrow(c.shape.cols);
  const DType t = c.type;
  Problem p;
  p.bufs = {input_f32("x", size_t(dim), seed, 1, -2, 2),
            input_f32("norm", size_t(dim), seed, 2, 0.5f, 1.5f),
            weights("w_gate", t, rows, dim, seed, 3), weights("w_up", t, rows, dim, seed, 4),
            output_f32("act", size_t(rows))};
  p.launch = [=](const Variant& v, const Ptrs& q, const LaunchCtx& ctx) {
    v.launch(ffn_in::Args{f32(q[0]), f32(q[1]), 1e-5f, q[2], q[3], f32w(q[4]), rows, dim, t}, ctx);
  };
  return p;
}

// wo on att with x in place, then ffn_in on the new x: x and act are written.
Problem build_wo_ffn_in(const Case& c, uint64_t seed) {
  const int32_t rows = narrow(c.shape.rows), dim = narrow(c.shape.cols);
  const DType t = c.type;
  Problem p;
  p.bufs = {input_f32("att", size_t(dim), seed, 1, -2, 2),
            input_f32("x", size_t(dim), seed, 2, -2, 2),
            input_f32("norm", size_t(dim), seed, 3, 0.5f, 1.5f),
            weights("wo", t, dim, dim, seed, 4),
            weights("w_gate", t, rows, dim, seed, 5),
            weights("w_up", t, rows, dim, seed, 6),
            output_f32("act", size_t(rows))};
  p.bufs[1].out_len = p.bufs[1].init.size();  // x is updated in place: read, so not poisoned
  p.bufs[1].poison = false;
  p.launch = [=](const Variant& v, const Ptrs& q, const LaunchCtx& ctx) {
    v.launch(wo_ffn_in::Args{q[3], f32(q[0]), f32w(q[1]), f32(q[2]), 1e-5f, q[4], q[5], f32w(q[6]),
                             rows, dim, t},
             ctx);
  };
  return p;
}

}  // namespace

const std::map<std::string, Builder>& builders() {
  static const std::map<std::string, Builder> b = {{"embed", build_embed},
                                                   {"rmsnorm", build_rmsnorm},
                                                   {"matvec", build_matvec},
                                                   {"matvec_pair", build_matvec_pair},
                                                   {"matvec_residual", build_matvec_residual},
                                                   {"rope", build_rope},
                                                   {"attn_decode", build_attn},
                                                   {"swiglu", build_swiglu},
                                                   {"argmax", build_argmax},
                                                   {"attn_in", build_attn_in},
                                                   {"ffn_in", build_ffn_in},
                                                   {"wo_ffn_in", build_wo_ffn_in}};
  return b;
}

}  // namespace swapbench::test::harness
