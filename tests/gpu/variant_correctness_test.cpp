// Tests that every CUDA variant in the registry computes its slot's contract: against the slot's
// CPU reference (NMSE <= 1e-6 on float paths, the dp4a bound for dp4a matvecs, exact equality
// for embed and argmax) at tiny random shapes and at every shape the smollm2-135m and llama-8b
// models use; that it writes every output element (outputs are poisoned with 0xFF before every
// launch), nothing outside its outputs, and none of its inputs; and, for variants declaring
// Equality::bitwise, that its bytes equal the slot's CUDA reference variant on the same inputs.
//
// One "case builder" per slot family makes the inputs (random, never zero; weights quantized
// with quantize_row) and knows how to build the slot's Args from host or device pointers. Inputs
// depend only on (slot, shape, seed), so every variant of a slot sees the same ones and the CPU
// reference output is computed once per process for them (cached).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <exception>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "gpu/gpu_support.h"
#include "kernels/argmax/argmax.h"
#include "kernels/attn_decode/attn_decode.h"
#include "kernels/attn_in/attn_in.h"
#include "kernels/common/cuda_check.h"
#include "kernels/common/quant_cpu.h"
#include "kernels/common/rope_table.h"
#include "kernels/common/variant.h"
#include "kernels/embed/embed.h"
#include "kernels/ffn_in/ffn_in.h"
#include "kernels/matvec/matvec.h"
#include "kernels/matvec_pair/matvec_pair.h"
#include "kernels/matvec_residual/matvec_residual.h"
#include "kernels/rmsnorm/rmsnorm.h"
#include "kernels/rope/rope.h"
#include "kernels/swiglu/swiglu.h"
#include "kernels/wo_ffn_in/wo_ffn_in.h"
#include "variants/matvec/dp4a_bound.h"

namespace swapbench::test {
namespace {

constexpr double kFloatNmseBound = 1e-6;
constexpr int32_t kEmbedVocab = 64;              // rows of the test embedding table
constexpr size_t kCheckInputsUpTo = 64 << 20;    // inputs this small are checked to stay unchanged
constexpr size_t kCacheBytes = size_t(4) << 30;  // problems (host + device) kept between tests

// ---- the cases -------------------------------------------------------------------------------

// One (variant, shape) test.
struct Case {
  std::string family;   // "matvec"
  std::string slot;     // "matvec.q4_1"
  std::string variant;  // "warp_row"
  Shape shape;
  DType type = DType::f32;  // weight or table type: matvec*, embed
  int32_t pos = 0;          // rope, attn_decode
  bool inplace = false;     // matvec_residual with y == residual
  Params params;            // overrides of the variant's defaults (the params suite)
  std::string shape_label;  // "rows576_cols1536"
  std::string name;         // the gtest name: "matvec_q4_1__v3_small__rows576_cols1536"

  std::string problem_key() const {  // what the inputs depend on
    return slot + "|" + shape.describe() + "|" + std::string(swapbench::name(type)) + "|" +
           std::to_string(pos) + (inplace ? "|inplace" : "");
  }
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

uint64_t mix64(uint64_t x) {  // splitmix64 finaliser
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

uint64_t seed_of(const std::string& s) {  // FNV-1a, then mixed
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char ch : s) h = (h ^ ch) * 0x100000001b3ull;
  return mix64(h);
}

// A shape of a family, with the position for attention-like slots.
struct Point {
  Shape shape;
  int32_t pos = 0;
  std::string label;
};

Point vec_point(int64_t n) { return {Shape{.cols = n}, 0, "n" + std::to_string(n)}; }
Point mat_point(int64_t rows, int64_t cols) {
  return {Shape{.rows = rows, .cols = cols}, 0,
          "rows" + std::to_string(rows) + "_cols" + std::to_string(cols)};
}
Point pair_point(int64_t rows, int64_t rows2, int64_t cols) {
  return {Shape{.rows = rows, .rows2 = rows2, .cols = cols}, 0,
          "rows" + std::to_string(rows) + "_rows2_" + std::to_string(rows2) + "_cols" +
              std::to_string(cols)};
}
Point attn_point(int64_t heads, int64_t kv, int64_t hd, int64_t ctx, int32_t pos) {
  return {Shape{.heads = heads, .kv_heads = kv, .head_dim = hd, .max_ctx = ctx}, pos,
          "heads" + std::to_string(heads) + "_kv" + std::to_string(kv) + "_hd" +
              std::to_string(hd) + "_ctx" + std::to_string(ctx) + "_pos" + std::to_string(pos)};
}

// Model shapes: smollm2-135m (dim 576, heads 9/3, head_dim 64, ffn 1536, vocab 49152) and
// llama-8b (dim 4096, heads 32/8, head_dim 128, ffn 14336, vocab 128256).
struct ModelDims {
  int64_t dim, heads, kv_heads, head_dim, ffn, vocab;
};
constexpr ModelDims kModels[] = {{576, 9, 3, 64, 1536, 49152}, {4096, 32, 8, 128, 14336, 128256}};
constexpr int64_t kModelCtx = 4352;  // 4096 + 256: positions past 4096 exist in the cache

// Every shape a family is tested at: fixed tiny ones (edges: 1 element, one block, odd sizes),
// three random tiny ones from a seed fixed per family, and the model shapes.
std::vector<Point> points(const std::string& family) {
  std::vector<Point> out;
  uint64_t r = seed_of("shapes:" + family);
  auto rnd = [&r](int64_t lo, int64_t hi) {  // uniform in [lo, hi]
    r = mix64(r);
    return lo + int64_t(r % uint64_t(hi - lo + 1));
  };
  if (family == "rmsnorm" || family == "swiglu" || family == "argmax" || family == "embed") {
    const bool blocks = family == "embed";  // quantized rows: multiples of 32
    const std::vector<int64_t> tiny =
        blocks ? std::vector<int64_t>{32, 96, 1024} : std::vector<int64_t>{1, 2, 7, 31, 1000, 4099};
    for (int64_t n : tiny) out.push_back(vec_point(n));
    for (int i = 0; i < 3; ++i) out.push_back(vec_point(blocks ? 32 * rnd(1, 64) : rnd(1, 5000)));
    for (const ModelDims& m : kModels) {
      if (family == "rmsnorm" || family == "embed") out.push_back(vec_point(m.dim));
      if (family == "swiglu") out.push_back(vec_point(m.ffn));
      if (family == "argmax") out.push_back(vec_point(m.vocab));
    }
  } else if (family == "matvec" || family == "matvec_residual") {
    for (auto [rows, cols] : std::vector<std::pair<int64_t, int64_t>>{
             {1, 32}, {7, 64}, {33, 96}, {100, 256}, {257, 1024}, {64, 4096}})
      out.push_back(mat_point(rows, cols));
    for (int i = 0; i < 3; ++i) out.push_back(mat_point(rnd(1, 600), 32 * rnd(1, 64)));
    for (const ModelDims& m : kModels) {
      const int64_t kv = m.kv_heads * m.head_dim;
      out.push_back(mat_point(m.dim, m.dim));  // q, o
      out.push_back(mat_point(m.dim, m.ffn));  // down
      if (family == "matvec") {
        out.push_back(mat_point(kv, m.dim));       // k, v
        out.push_back(mat_point(m.ffn, m.dim));    // gate, up
        out.push_back(mat_point(m.vocab, m.dim));  // output
      }
    }
  } else if (family == "matvec_pair") {
    for (auto [a, b, c] : std::vector<std::tuple<int64_t, int64_t, int64_t>>{
             {1, 1, 32}, {7, 9, 64}, {100, 100, 256}, {33, 65, 1024}})
      out.push_back(pair_point(a, b, c));
    for (int i = 0; i < 3; ++i)
      out.push_back(pair_point(rnd(1, 600), rnd(1, 600), 32 * rnd(1, 64)));
    for (const ModelDims& m : kModels) out.push_back(pair_point(m.ffn, m.ffn, m.dim));
  } else if (family == "attn_in") {
    // (dim, heads, kv_heads, head_dim, ctx): dim need not be heads * head_dim; 4160 > 4096
    // takes two tiles of the staged xn; 256 and 1280 (multiples of 256 columns: whole 16-byte
    // rows in every type, as the coalesced variants need) give one short and one and a half
    // pieces of 32 blocks per row, with few rows.
    struct Qkv {
      int64_t dim, heads, kv, hd, ctx;
    };
    std::vector<Qkv> qkv{{32, 1, 1, 2, 8},     {64, 2, 1, 16, 40},  {96, 6, 2, 48, 80},
                         {4160, 4, 2, 64, 16}, {256, 4, 2, 32, 24}, {1280, 6, 2, 48, 80}};
    for (int i = 0; i < 2; ++i) {
      const int64_t kv = rnd(1, 4);
      qkv.push_back({32 * rnd(1, 40), kv * rnd(1, 4), kv, 2 * rnd(1, 64), rnd(1, 300)});
    }
    for (const ModelDims& m : kModels)
      qkv.push_back({m.dim, m.heads, m.kv_heads, m.head_dim, kModelCtx});
    for (const Qkv& q : qkv) {
      for (int32_t pos : {int32_t{0}, int32_t(q.ctx - 1), int32_t(rnd(0, q.ctx - 1))}) {
        Point p = attn_point(q.heads, q.kv, q.hd, q.ctx, pos);
        p.shape.rows = q.heads * q.hd;
        p.shape.rows2 = q.kv * q.hd;
        p.shape.cols = q.dim;
        p.label = "dim" + std::to_string(q.dim) + "_" + p.label;
        out.push_back(p);
      }
    }
  } else if (family == "ffn_in") {
    for (auto [rows, cols] :
         std::vector<std::pair<int64_t, int64_t>>{{1, 32}, {7, 64}, {100, 256}, {33, 4160}})
      out.push_back(pair_point(rows, rows, cols));
    for (int i = 0; i < 3; ++i) {
      const int64_t rows = rnd(1, 600);
      out.push_back(pair_point(rows, rows, 32 * rnd(1, 64)));
    }
    for (const ModelDims& m : kModels) out.push_back(pair_point(m.ffn, m.ffn, m.dim));
  } else if (family == "wo_ffn_in") {
    // (rows, dim): Wo is dim x dim. Multiples of 256 columns are whole 16-byte rows in every type
    // (the coalesced variant); 32 and 96 are not (the fallback's shapes).
    for (auto [rows, cols] : std::vector<std::pair<int64_t, int64_t>>{
             {1, 32}, {7, 96}, {100, 256}, {33, 1280}, {600, 2048}})
      out.push_back(pair_point(rows, rows, cols));
    for (int i = 0; i < 2; ++i) {
      const int64_t rows = rnd(1, 600);
      out.push_back(pair_point(rows, rows, 256 * rnd(1, 8)));
    }
    for (const ModelDims& m : kModels) out.push_back(pair_point(m.ffn, m.ffn, m.dim));
  } else if (family == "rope" || family == "attn_decode") {
    struct Tiny {
      int64_t heads, kv, hd, ctx;
    };
    for (Tiny t : {Tiny{1, 1, 32, 64}, Tiny{4, 4, 32, 64}, Tiny{6, 2, 48, 80}, Tiny{2, 1, 256, 40},
                   Tiny{8, 2, 64, 128}})
      for (int64_t pos : {int64_t{0}, int64_t{1}, int64_t{31}, int64_t{32}, t.ctx - 1})
        out.push_back(attn_point(t.heads, t.kv, t.hd, t.ctx, int32_t(pos)));
    for (int i = 0; i < 3; ++i) {
      const int64_t kv = rnd(1, 4), hd = 4 * rnd(1, 64), ctx = rnd(1, 700);
      out.push_back(attn_point(kv * rnd(1, 4), kv, hd, ctx, int32_t(rnd(0, ctx - 1))));
    }
    for (const ModelDims& m : kModels)
      for (int32_t pos : {0, 7, 300, 4000, int32_t(kModelCtx - 1)})
        out.push_back(attn_point(m.heads, m.kv_heads, m.head_dim, kModelCtx, pos));
  }
  return out;
}

std::string sanitize(std::string s) {
  for (char& ch : s)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return s;
}

enum class Suite { vs_cpu, bitwise, params };

// The gtest case of `v` at point `p` with weight type `t`; `suffix` follows the shape label.
Case make_case(const SlotInfo& slot, const Variant& v, const Point& p, DType t,
               const std::string& suffix, bool inplace = false, Params params = {}) {
  std::string label = p.label + suffix;
  if (slot.family == "embed") label = std::string(swapbench::name(t)) + "_" + label;
  std::string test_name =
      sanitize(slot.key) + "__" + sanitize(v.info.name) + "__" + sanitize(label);
  return Case{.family = slot.family,
              .slot = slot.key,
              .variant = v.info.name,
              .shape = p.shape,
              .type = t,
              .pos = p.pos,
              .inplace = inplace,
              .params = std::move(params),
              .shape_label = std::move(label),
              .name = std::move(test_name)};
}

// The indices of the first and the last of `pts` that `v` applies to (first > last: none).
std::pair<size_t, size_t> applicable_edges(const Variant& v, const std::vector<Point>& pts) {
  size_t first = pts.size(), last = 0;
  for (size_t i = 0; i < pts.size(); ++i) {
    if (v.info.applies(pts[i].shape)) continue;
    first = std::min(first, i);
    last = i;
  }
  return {first, last};
}

// Every (CUDA variant, applicable shape) of the registry, grouped by problem so that
// consecutive tests share inputs and the cached CPU output. The params suite: a variant's
// parameters change block sizes, tiling and summation order, so each declared parameter is
// taken to its min and to its max (others at their defaults) at the first and the last shape of
// the family the variant applies to (a small edge shape and, for most families, llama-8b's).
std::vector<Case> make_cases(Suite suite) {
  std::vector<Case> out;
  std::set<std::string> names;
  auto add = [&](Case c) {
    if (names.insert(c.name).second) out.push_back(std::move(c));
  };
  const Registry& reg = Registry::instance();
  for (const SlotInfo* slot : reg.slots()) {
    const auto vars = reg.variants(slot->key, Backend::cuda);
    if (vars.empty()) continue;
    DType slot_type = DType::f32;
    if (const auto dot = slot->key.find('.'); dot != std::string::npos)
      slot_type = dtype_from_name(slot->key.substr(dot + 1)).value_or(DType::f32);
    const std::vector<DType> types =
        slot->family == "embed"
            ? std::vector<DType>(std::begin(matvec::kTypes), std::end(matvec::kTypes))
            : std::vector<DType>{slot_type};
    const std::vector<Point> pts = points(slot->family);
    std::map<const Variant*, std::pair<size_t, size_t>> edges;
    if (suite == Suite::params)
      for (const Variant* v : vars) edges[v] = applicable_edges(*v, pts);
    for (size_t pi = 0; pi < pts.size(); ++pi) {
      const Point& p = pts[pi];
      for (DType t : types) {
        for (bool inplace : {false, true}) {
          if (inplace && (slot->family != "matvec_residual" || suite != Suite::vs_cpu)) continue;
          for (const Variant* v : vars) {
            if (suite == Suite::bitwise &&
                (v->info.equality != Equality::bitwise || v->info.name == slot->cuda_reference))
              continue;
            if (v->info.applies(p.shape)) continue;
            if (suite != Suite::params) {
              add(make_case(*slot, *v, p, t, inplace ? "__inplace" : "", inplace));
              continue;
            }
            if (pi != edges[v].first && pi != edges[v].second) continue;
            for (const ParamSpec& spec : v->info.params)
              for (int64_t value : {spec.min, spec.max})
                if (value != spec.def)
                  add(make_case(*slot, *v, p, t, "__" + spec.name + "_" + std::to_string(value),
                                false, {{spec.name, value}}));
          }
        }
      }
    }
  }
  return out;
}

// ---- problems: inputs, outputs, and how to call the slot -------------------------------------

// One buffer of a call: its initial bytes, and the byte range the call writes (none: an input).
struct Buffer {
  std::string name;
  std::vector<uint8_t> init;
  size_t out_off = 0, out_len = 0;
  bool i32 = false;    // int32 elements (compared exactly); else f32
  bool exact = false;  // f32 compared for byte equality rather than NMSE
  bool poison = true;  // poison the written range first (false when the call reads it: in place)
  bool output() const { return out_len > 0; }
};

using Ptrs = std::vector<void*>;  // one per buffer, host or device
using LaunchFn = std::function<void(const Variant&, const Ptrs&, const LaunchCtx&)>;
// Part `k` of `parts` independent pieces of the call (row ranges), for a threaded CPU reference.
using PartFn = std::function<void(const Variant&, const Ptrs&, const LaunchCtx&, int k, int parts)>;

struct Problem {
  std::vector<Buffer> bufs;
  LaunchFn launch;
  PartFn launch_part;  // empty: the call cannot be split
};

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

using Builder = Problem (*)(const Case&, uint64_t);
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

// ---- running a variant -----------------------------------------------------------------------

using Outputs = std::vector<std::vector<uint8_t>>;  // the written range of each output buffer

Params default_params(const Variant& v) { return swapbench::default_params(v.info); }

// A problem with its device copies and the CPU reference's outputs once computed.
struct Entry {
  Problem problem;
  std::vector<DeviceBuffer> dev;
  std::optional<Outputs> cpu;
  size_t bytes = 0;
};

class ProblemCache {
 public:
  Entry& get(const Case& c) {
    const std::string key = c.problem_key();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->first == key) {
        entries_.splice(entries_.begin(), entries_, it);  // most recent first
        return *entries_.front().second;
      }
    }
    auto e = std::make_unique<Entry>();
    e->problem = builders().at(c.family)(c, seed_of(key));
    for (const Buffer& b : e->problem.bufs) {
      e->dev.emplace_back(b.init.size());
      e->dev.back().upload(b.init.data(), b.init.size());
      e->bytes += 2 * b.init.size();
    }
    size_t total = e->bytes;
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (total + it->second->bytes > kCacheBytes) {
        it = entries_.erase(it);
      } else {
        total += it->second->bytes;
        ++it;
      }
    }
    entries_.emplace_front(key, std::move(e));
    return *entries_.front().second;
  }

 private:
  std::list<std::pair<std::string, std::unique_ptr<Entry>>> entries_;
};

ProblemCache& cache() {
  static ProblemCache c;
  return c;
}

cudaStream_t test_stream() {
  // A blocking stream: ordered after the legacy-stream memcpy/memset that prepare the buffers.
  static cudaStream_t s = [] {
    cudaStream_t st;
    SB_CUDA_CHECK(cudaStreamCreate(&st));
    return st;
  }();
  return s;
}

// The CPU reference on host copies; split over threads by row range where the family allows.
const Outputs& cpu_outputs(Entry& e, const Variant& ref, const Shape& shape) {
  if (e.cpu) return *e.cpu;
  const Problem& p = e.problem;
  std::vector<std::vector<uint8_t>> host(p.bufs.size());
  Ptrs ptrs;
  for (size_t i = 0; i < p.bufs.size(); ++i) {
    if (p.bufs[i].output()) {
      host[i] = p.bufs[i].init;
      ptrs.push_back(host[i].data());
    } else {  // inputs are const in every Args: the reference reads the initial bytes in place
      ptrs.push_back(const_cast<uint8_t*>(p.bufs[i].init.data()));
    }
  }
  const Params params = default_params(ref);
  const size_t ws = ref.info.workspace_bytes(shape);
  const int64_t rows = shape.rows + shape.rows2;
  if (p.launch_part && ws == 0 && rows >= 1024) {
    const int parts = int(std::clamp<unsigned>(std::thread::hardware_concurrency(), 1, 32));
    parallel_for(size_t(parts), 1, [&](size_t b, size_t end) {
      for (size_t k = b; k < end; ++k)
        p.launch_part(ref, ptrs, LaunchCtx{nullptr, nullptr, &params}, int(k), parts);
    });
  } else {
    std::vector<uint8_t> workspace(ws), zeroed(ref.info.zeroed_bytes(shape), 0);
    p.launch(ref, ptrs, LaunchCtx{nullptr, workspace.data(), &params, false, zeroed.data()});
  }
  Outputs out;
  for (size_t i = 0; i < p.bufs.size(); ++i) {
    const Buffer& b = p.bufs[i];
    if (b.output())
      out.emplace_back(host[i].begin() + ptrdiff_t(b.out_off),
                       host[i].begin() + ptrdiff_t(b.out_off + b.out_len));
  }
  e.cpu = std::move(out);
  return *e.cpu;
}

// Restores every output buffer, poisons the range the call writes (and the workspace), zeroes its
// zeroed memory (LaunchCtx::zeroed), launches `v` with its default parameters (but `overrides`),
// waits, and returns the written ranges. Records a failure (without stopping) for any byte changed
// outside the outputs' ranges or in a small input, and for zeroed memory the call did not leave
// zero (the next call would start from a wrong counter).
Outputs run_cuda(Entry& e, const Variant& v, const Shape& shape, const Params& overrides = {}) {
  const Problem& p = e.problem;
  for (size_t i = 0; i < p.bufs.size(); ++i) {
    const Buffer& b = p.bufs[i];
    if (!b.output()) continue;
    e.dev[i].upload(b.init.data(), b.init.size());
    if (b.poison) e.dev[i].poison(b.out_off, b.out_len);
  }
  DeviceBuffer workspace(v.info.workspace_bytes(shape));
  workspace.poison();
  DeviceBuffer zeroed(v.info.zeroed_bytes(shape));
  zeroed.fill(0, 0, zeroed.size());
  SB_CUDA_CHECK(cudaDeviceSynchronize());
  Ptrs ptrs;
  for (const DeviceBuffer& d : e.dev) ptrs.push_back(d.get());
  Params params = default_params(v);
  for (const auto& [name, value] : overrides) params.at(name) = value;
  p.launch(v, ptrs, LaunchCtx{test_stream(), workspace.get(), &params, false, zeroed.get()});
  SB_CUDA_CHECK(cudaStreamSynchronize(test_stream()));
  const std::vector<uint8_t> z = zeroed.download_all();
  if (const auto nz = std::find_if(z.begin(), z.end(), [](uint8_t c) { return c != 0; });
      nz != z.end())
    ADD_FAILURE() << v.info.key() << " left byte " << (nz - z.begin()) << " of its " << z.size()
                  << " zeroed bytes at " << int(*nz) << " (must leave them zero)";

  Outputs out;
  for (size_t i = 0; i < p.bufs.size(); ++i) {
    const Buffer& b = p.bufs[i];
    if (!b.output() && b.init.size() > kCheckInputsUpTo) continue;
    const std::vector<uint8_t> now = e.dev[i].download_all();
    for (size_t j = 0; j < now.size(); ++j) {
      const bool inside = j >= b.out_off && j < b.out_off + b.out_len;
      if (!inside && now[j] != b.init[j]) {
        ADD_FAILURE() << v.info.key() << " changed byte " << j << " of "
                      << (b.output() ? "output" : "input") << " buffer '" << b.name
                      << "' outside the range it may write ([" << b.out_off << ", "
                      << b.out_off + b.out_len << "))";
        break;
      }
    }
    if (b.output())
      out.emplace_back(now.begin() + ptrdiff_t(b.out_off),
                       now.begin() + ptrdiff_t(b.out_off + b.out_len));
  }
  return out;
}

std::string describe_float(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  std::ostringstream o;
  o.precision(9);
  o << f << " (0x" << std::hex << u << ")";
  return o.str();
}

// Compares each output range of `got` against `want`: every element written, then exact
// equality (i32, or f32 buffers marked exact) or NMSE <= bound, the last only over buffers of at
// least `nmse_min_elements` (a ratio of sums means nothing over a few outputs whose reference
// can cancel to ~0: the caller checks those another way).
void expect_matches(const Problem& p, const Outputs& got, const Outputs& want, double bound,
                    const std::string& what, size_t nmse_min_elements = 0) {
  size_t k = 0;
  for (const Buffer& b : p.bufs) {
    if (!b.output()) continue;
    const std::vector<uint8_t>& g = got[k];
    const std::vector<uint8_t>& w = want[k];
    ++k;
    ASSERT_EQ(g.size(), w.size());
    if (b.i32) {
      const size_t n = g.size() / 4;
      for (size_t i = 0; i < n; ++i) {
        int32_t gi, wi;
        std::memcpy(&gi, g.data() + 4 * i, 4);
        std::memcpy(&wi, w.data() + 4 * i, 4);
        EXPECT_EQ(gi, wi) << what << ": '" << b.name << "'[" << i << "]"
                          << (gi == -1 ? " was never written (still the 0xFF poison)" : "");
        if (gi != wi) break;
      }
      continue;
    }
    const size_t n = g.size() / 4;
    std::vector<float> gf(n), wf(n);
    std::memcpy(gf.data(), g.data(), g.size());
    std::memcpy(wf.data(), w.data(), w.size());
    size_t first = 0;
    const size_t unwritten = count_unwritten(gf.data(), wf.data(), n, &first);
    EXPECT_EQ(unwritten, 0u) << what << ": " << unwritten << " of " << n << " elements of '"
                             << b.name << "' are NaN where the reference is finite (never "
                             << "written: still the 0xFF poison?), first at " << first;
    if (b.exact) {
      for (size_t i = 0; i < n; ++i) {
        if (std::memcmp(&gf[i], &wf[i], 4) != 0) {
          ADD_FAILURE() << what << ": '" << b.name << "'[" << i << "] = " << describe_float(gf[i])
                        << ", reference " << describe_float(wf[i]) << " (must be bit-exact)";
          break;
        }
      }
      continue;
    }
    if (n < nmse_min_elements) continue;
    const double e = nmse(gf.data(), wf.data(), n);
    if (!(e <= bound)) {
      size_t worst = 0;
      double worst_err = -1.0;
      for (size_t i = 0; i < n; ++i) {
        const double d = std::fabs(double(gf[i]) - double(wf[i]));
        if (!(d <= worst_err)) {
          worst_err = d;
          worst = i;
        }
      }
      ADD_FAILURE() << what << ": NMSE of '" << b.name << "' is " << e << " > bound " << bound
                    << "; worst element " << worst << ": " << describe_float(gf[worst])
                    << " vs reference " << describe_float(wf[worst]);
    }
  }
}

bool rounds_x_to_int8(const Case& c) { return c.variant.find("dp4a") != std::string::npos; }

// dp4a matvecs round x to int8 per 32-block: their own documented bound (dp4a_bound.h).
double bound_for(const Case& c) {
  return rounds_x_to_int8(c) ? matvec::kDp4aNmseBound : kFloatNmseBound;
}

// The plain matvec families' dp4a variants also hold every row to dp4a_bound.h's strict bound,
// which means something at any shape; their NMSE is asserted over kDp4aNmseMinRows rows or more.
// (The fused input slots' rows pass through a norm, rope or swiglu first: NMSE at every shape.)
bool has_dp4a_row_bound(const Case& c) {
  return rounds_x_to_int8(c) &&
         (c.family == "matvec" || c.family == "matvec_pair" || c.family == "matvec_residual");
}

const Buffer& buffer_named(const Problem& p, const std::string& name) {
  for (const Buffer& b : p.bufs)
    if (b.name == name) return b;
  throw std::logic_error("the problem has no buffer '" + name + "'");
}

std::vector<float> floats_of(const std::vector<uint8_t>& bytes) {
  std::vector<float> out(bytes.size() / sizeof(float));
  std::memcpy(out.data(), bytes.data(), out.size() * sizeof(float));
  return out;
}

// Every row r of every output: |got[r] - want[r]| <= matvec::dp4a_row_bound(W[r], x, cols,
// residual[r]), with W[r] dequantized from the case's weights. Outputs pair with matrices by
// name: y1 -> w1, y2 -> w2, any other -> w; matvec_residual adds its residual input.
void expect_rows_within_dp4a_bound(const Case& c, const Problem& p, const Outputs& got,
                                   const Outputs& want, const std::string& what) {
  const int64_t cols = c.shape.cols;
  const uint64_t stride = row_bytes(c.type, uint64_t(cols));
  const std::vector<float> x = floats_of(buffer_named(p, "x").init);
  const bool residual = c.family == "matvec_residual";
  const std::vector<float> res =
      residual ? floats_of(buffer_named(p, "residual").init) : std::vector<float>{};
  std::vector<float> w(static_cast<size_t>(cols));
  size_t k = 0;
  for (const Buffer& b : p.bufs) {
    if (!b.output()) continue;
    const std::vector<float> g = floats_of(got[k]), f = floats_of(want[k]);
    ++k;
    const std::string matrix = b.name == "y1" ? "w1" : b.name == "y2" ? "w2" : "w";
    const uint8_t* rows = buffer_named(p, matrix).init.data();
    for (size_t r = 0; r < g.size(); ++r) {
      dequantize_row(c.type, rows + stride * r, w.data(), cols);
      const double bound = matvec::dp4a_row_bound(w.data(), x.data(), cols, residual ? res[r] : 0);
      const double err = std::fabs(double(g[r]) - double(f[r]));
      if (!(err <= bound)) {
        ADD_FAILURE() << what << ": '" << b.name << "'[" << r << "] = " << describe_float(g[r])
                      << ", reference " << describe_float(f[r]) << ": off by " << err
                      << ", more than the row's dp4a bound " << bound << " (dp4a_bound.h)";
        break;
      }
    }
  }
}

const Variant& variant_or_fail(const std::string& slot, const std::string& name) {
  const Variant* v = Registry::instance().find(slot, name);
  if (!v) throw std::logic_error("variant " + slot + "." + name + " is not registered");
  return *v;
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) { return info.param.name; }

// ---- the tests -------------------------------------------------------------------------------

// A case's variant (with the case's parameter overrides, if any) against the slot's CPU
// reference on the case's inputs: within the bound, every output written, nothing else touched.
void expect_matches_cpu_reference(const Case& c) {
  const SlotInfo* slot = Registry::instance().slot(c.slot);
  ASSERT_NE(slot, nullptr) << "slot " << c.slot << " is not registered";
  try {
    const Variant& v = variant_or_fail(c.slot, c.variant);
    const Variant& ref = variant_or_fail(c.slot, slot->cpu_reference);
    Entry& e = cache().get(c);
    const Outputs& want = cpu_outputs(e, ref, c.shape);
    const Outputs got = run_cuda(e, v, c.shape, c.params);
    const std::string what = v.info.key() + " vs " + ref.info.key() + " at " + c.shape_label;
    const bool row_bound = has_dp4a_row_bound(c);
    expect_matches(e.problem, got, want, bound_for(c), what,
                   row_bound ? size_t(matvec::kDp4aNmseMinRows) : 0);
    if (row_bound) expect_rows_within_dp4a_bound(c, e.problem, got, want, what);
  } catch (const std::exception& ex) {
    FAIL() << c.slot << "." << c.variant << " at " << c.shape_label << " threw: " << ex.what();
  }
}

class CudaVariantVsCpuReference : public ::testing::TestWithParam<Case> {};

TEST_P(CudaVariantVsCpuReference, MatchesWithinBoundAndWritesEveryOutput) {
  SB_REQUIRE_GPU();
  expect_matches_cpu_reference(GetParam());
}

INSTANTIATE_TEST_SUITE_P(All, CudaVariantVsCpuReference,
                         ::testing::ValuesIn(make_cases(Suite::vs_cpu)), case_name);

// Every declared parameter at its min and its max (the params suite above).
class CudaVariantParamsVsCpuReference : public ::testing::TestWithParam<Case> {};

TEST_P(CudaVariantParamsVsCpuReference, EveryParameterExtremeMatchesWithinBound) {
  SB_REQUIRE_GPU();
  expect_matches_cpu_reference(GetParam());
}

INSTANTIATE_TEST_SUITE_P(All, CudaVariantParamsVsCpuReference,
                         ::testing::ValuesIn(make_cases(Suite::params)), case_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CudaVariantParamsVsCpuReference);

class BitwiseVariantVsCudaReference : public ::testing::TestWithParam<Case> {};

TEST_P(BitwiseVariantVsCudaReference, SameBytesOnSameInputs) {
  SB_REQUIRE_GPU();
  const Case& c = GetParam();
  const SlotInfo* slot = Registry::instance().slot(c.slot);
  ASSERT_NE(slot, nullptr);
  const Variant* ref = Registry::instance().find(c.slot, slot->cuda_reference);
  ASSERT_NE(ref, nullptr) << c.slot << "." << c.variant << " declares Equality::bitwise, but the "
                          << "slot's CUDA reference '" << slot->cuda_reference
                          << "' is not registered";
  if (const auto why = ref->info.applies(c.shape))
    GTEST_SKIP() << "the CUDA reference " << ref->info.key() << " does not apply here: " << *why;
  try {
    const Variant& v = variant_or_fail(c.slot, c.variant);
    Entry& e = cache().get(c);
    const Outputs want = run_cuda(e, *ref, c.shape);
    const Outputs got = run_cuda(e, v, c.shape);
    size_t k = 0;
    for (const Buffer& b : e.problem.bufs) {
      if (!b.output()) continue;
      const auto& g = got[k];
      const auto& w = want[k];
      ++k;
      constexpr size_t elem = 4;  // f32 and i32 alike
      for (size_t i = 0; i < g.size(); i += elem) {
        if (std::memcmp(g.data() + i, w.data() + i, elem) != 0) {
          float gf, wf;
          std::memcpy(&gf, g.data() + i, 4);
          std::memcpy(&wf, w.data() + i, 4);
          ADD_FAILURE() << v.info.key() << " declares bitwise equality with " << ref->info.key()
                        << " but '" << b.name << "'[" << i / elem << "] differs at "
                        << c.shape_label << ": " << describe_float(gf) << " vs "
                        << describe_float(wf);
          break;
        }
      }
      if (!b.i32) {  // finite inputs give finite outputs: a NaN here is the poison, unwritten
        for (size_t i = 0; i < g.size(); i += 4) {
          float gf;
          std::memcpy(&gf, g.data() + i, 4);
          if (std::isnan(gf)) {
            ADD_FAILURE() << v.info.key() << " left '" << b.name << "'[" << i / 4
                          << "] NaN (never written?) at " << c.shape_label;
            break;
          }
        }
      }
    }
  } catch (const std::exception& ex) {
    FAIL() << c.slot << "." << c.variant << " at " << c.shape_label << " threw: " << ex.what();
  }
}

INSTANTIATE_TEST_SUITE_P(All, BitwiseVariantVsCudaReference,
                         ::testing::ValuesIn(make_cases(Suite::bitwise)), case_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(BitwiseVariantVsCudaReference);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CudaVariantVsCpuReference);

// ---- fused input slots against the unfused calls they replace ---------------------------------

// The fused attn_in and ffn_in variants take xn from rmsnorm.warp_shuffle's arithmetic and the
// row sums from the bitwise matvec family, so against the separate CUDA slot calls with
// rmsnorm=warp_shuffle (the plan under which the step is byte-identical) they must give the same
// bytes. The composition is built here from registered variants, as a Variant with a workspace.
void launch_default(const std::string& slot, const std::string& name, const auto& args,
                    const LaunchCtx& ctx) {
  const Variant& v = variant_or_fail(slot, name);
  const Params params = default_params(v);
  v.launch(args, LaunchCtx{ctx.stream, nullptr, &params});
}

Variant warp_shuffle_composition(const std::string& family, DType t) {
  Variant v;
  v.info.slot = matvec::slot_key(family.c_str(), t);
  v.info.name = "composition_with_warp_shuffle_norm";
  if (family == "attn_in") {
    v.args_type = typeid(attn_in::Args);
    v.info.workspace_bytes = [](const Shape& s) {
      return size_t(float4_padded(s.cols) + 2 * float4_padded(s.rows2)) * sizeof(float);
    };
    v.launch_erased = [](const void* p, const LaunchCtx& ctx) {
      const auto& a = *static_cast<const attn_in::Args*>(p);
      const int32_t qr = a.heads * a.head_dim, kvr = a.kv_heads * a.head_dim;
      float* xn = static_cast<float*>(ctx.workspace);
      float* k = xn + float4_padded(a.dim);
      float* vv = k + float4_padded(kvr);
      const std::string mv = matvec::slot_key("matvec", a.type);
      launch_default("rmsnorm", "warp_shuffle", rmsnorm::Args{a.x, a.norm, xn, a.dim, a.eps}, ctx);
      launch_default(mv, "warp_row", matvec::Args{a.wq, xn, a.q, qr, a.dim, a.type}, ctx);
      launch_default(mv, "warp_row", matvec::Args{a.wk, xn, k, kvr, a.dim, a.type}, ctx);
      launch_default(mv, "warp_row", matvec::Args{a.wv, xn, vv, kvr, a.dim, a.type}, ctx);
      launch_default("rope", "thread_pair",
                     rope::Args{a.q, k, vv, a.k_cache, a.v_cache, a.pos, a.heads, a.kv_heads,
                                a.head_dim, a.rot_dim, a.freq_base},
                     ctx);
    };
  } else {
    v.args_type = typeid(ffn_in::Args);
    v.info.workspace_bytes = [](const Shape& s) {
      return size_t(float4_padded(s.cols) + 2 * float4_padded(s.rows)) * sizeof(float);
    };
    v.launch_erased = [](const void* p, const LaunchCtx& ctx) {
      const auto& a = *static_cast<const ffn_in::Args*>(p);
      float* xn = static_cast<float*>(ctx.workspace);
      float* gate = xn + float4_padded(a.dim);
      float* up = gate + float4_padded(a.rows);
      launch_default("rmsnorm", "warp_shuffle", rmsnorm::Args{a.x, a.norm, xn, a.dim, a.eps}, ctx);
      launch_default(
          matvec::slot_key("matvec_pair", a.type), "separate",
          matvec_pair::Args{a.w_gate, a.w_up, xn, gate, up, a.rows, a.rows, a.dim, a.type}, ctx);
      launch_default("swiglu", "elementwise", swiglu::Args{gate, up, a.act, a.rows}, ctx);
    };
  }
  return v;
}

// Every f32 output of `got` has the bytes of `want` and no NaN (the poison); the first
// difference of each buffer is reported as "<what>: '<buffer>'[i] at <shape>".
void expect_same_floats(const Problem& p, const Outputs& got, const Outputs& want,
                        const std::string& what, const Case& c) {
  size_t k = 0;
  for (const Buffer& b : p.bufs) {
    if (!b.output()) continue;
    const auto& g = got[k];
    const auto& w = want[k];
    ++k;
    ASSERT_EQ(g.size(), w.size()) << what << ": '" << b.name << "'";
    for (size_t i = 0; i < g.size(); i += 4) {
      float gf, wf;
      std::memcpy(&gf, g.data() + i, 4);
      std::memcpy(&wf, w.data() + i, 4);
      if (std::isnan(gf) || std::memcmp(&gf, &wf, 4) != 0) {
        ADD_FAILURE() << what << ": '" << b.name << "'[" << i / 4 << "] at " << c.shape_label
                      << ": " << describe_float(gf) << " vs " << describe_float(wf);
        break;
      }
    }
  }
}

std::vector<Case> fused_cases() {
  std::vector<Case> out;
  for (Case& c : make_cases(Suite::vs_cpu))
    if ((c.family == "attn_in" || c.family == "ffn_in") && c.variant == "fused")
      out.push_back(std::move(c));
  return out;
}

class FusedInputSlotVsUnfusedCalls : public ::testing::TestWithParam<Case> {};

TEST_P(FusedInputSlotVsUnfusedCalls, SameBytesAsTheCallsWithWarpShuffleNorm) {
  SB_REQUIRE_GPU();
  const Case& c = GetParam();
  const Variant& v = variant_or_fail(c.slot, c.variant);
  const Variant composed = warp_shuffle_composition(c.family, c.type);
  Entry& e = cache().get(c);
  const Outputs want = run_cuda(e, composed, c.shape);
  const Outputs got = run_cuda(e, v, c.shape);
  expect_same_floats(e.problem, got, want,
                     v.info.key() + " vs the unfused calls with rmsnorm.warp_shuffle", c);
}

INSTANTIATE_TEST_SUITE_P(All, FusedInputSlotVsUnfusedCalls, ::testing::ValuesIn(fused_cases()),
                         case_name);

// ---- wo_ffn_in.coalesced_dp4a against the two launches it joins ------------------------------

// Its first phase is matvec_residual.coalesced_dp4a's arithmetic (row sums do not depend on the
// launch's shape) and its second ffn_in.coalesced_dp4a's, whose norm sums in an order set by the
// threads per block. So with the same warps per block it must give the bytes of those two
// launches, x and act alike: a Wo row left out of the barrier, a stale x read after it or xn
// staged from a half-written x would change them. warps = 1 takes the norm's multi-pass path.
Variant two_launch_composition(DType t, int64_t warps) {
  Variant v;
  v.info.slot = matvec::slot_key("wo_ffn_in", t);
  v.info.name = "matvec_residual_then_ffn_in_coalesced_dp4a";
  v.info.workspace_bytes = [](const Shape&) { return size_t{0}; };
  v.args_type = typeid(wo_ffn_in::Args);
  v.launch_erased = [warps](const void* p, const LaunchCtx& ctx) {
    const auto& a = *static_cast<const wo_ffn_in::Args*>(p);
    launch_default(matvec::slot_key("matvec_residual", a.type), "coalesced_dp4a",
                   matvec_residual::Args{a.wo, a.att, a.x, a.x, a.dim, a.dim, a.type}, ctx);
    const Variant& ffn = variant_or_fail(matvec::slot_key("ffn_in", a.type), "coalesced_dp4a");
    Params params = default_params(ffn);
    params.at("warps") = warps;
    ffn.launch(ffn_in::Args{a.x, a.norm, a.eps, a.w_gate, a.w_up, a.act, a.rows, a.dim, a.type},
               LaunchCtx{ctx.stream, nullptr, &params});
  };
  return v;
}

std::vector<Case> wo_ffn_in_cases() {
  std::vector<Case> out;
  // (rows, dim, warps): shapes where both launches keep `warps` per block (the 8B model's, and
  // one warp anywhere).
  struct Pick {
    int64_t rows, dim, warps;
  };
  for (DType t : matvec::kTypes) {
    const SlotInfo* slot = Registry::instance().slot(matvec::slot_key("wo_ffn_in", t));
    const Variant* v = Registry::instance().find(matvec::slot_key("wo_ffn_in", t), "coalesced_dp4a");
    if (!slot || !v) continue;
    for (Pick k : {Pick{14336, 4096, 16}, Pick{100, 2048, 1}, Pick{7, 256, 1}})
      out.push_back(make_case(*slot, *v, pair_point(k.rows, k.rows, k.dim), t,
                              "__warps" + std::to_string(k.warps), false,
                              Params{{"warps", k.warps}}));
  }
  return out;
}

class WoFfnInVsTwoLaunches : public ::testing::TestWithParam<Case> {};

TEST_P(WoFfnInVsTwoLaunches, SameBytesAsMatvecResidualThenFfnIn) {
  SB_REQUIRE_GPU();
  const Case& c = GetParam();
  const Variant& v = variant_or_fail(c.slot, c.variant);
  const Variant composed = two_launch_composition(c.type, c.params.at("warps"));
  Entry& e = cache().get(c);
  const Outputs want = run_cuda(e, composed, c.shape);
  const Outputs got = run_cuda(e, v, c.shape, c.params);
  expect_same_floats(e.problem, got, want, v.info.key() + " vs the two launches", c);
}

INSTANTIATE_TEST_SUITE_P(All, WoFfnInVsTwoLaunches, ::testing::ValuesIn(wo_ffn_in_cases()),
                         case_name);

// A gate that silently tested nothing is the failure this guards against.
TEST(VariantCorrectnessCoverage, EveryCudaVariantIsTestedAtLeastOnce) {
  SB_REQUIRE_GPU();
  std::set<std::string> tested;
  for (const Case& c : make_cases(Suite::vs_cpu)) tested.insert(c.slot + "." + c.variant);
  for (const Variant* v : Registry::instance().variants("", Backend::cuda)) {
    const SlotInfo* slot = Registry::instance().slot(v->info.slot);
    ASSERT_NE(slot, nullptr) << v->info.key() << " names an unregistered slot";
    EXPECT_TRUE(builders().count(slot->family))
        << v->info.key() << ": no case builder for family '" << slot->family
        << "' in variant_correctness_test.cpp";
    EXPECT_TRUE(tested.count(v->info.key()))
        << v->info.key() << ": applies() accepts none of the tested shapes of '" << slot->family
        << "'";
  }
}

TEST(VariantCorrectnessCoverage, EveryParameterIsTestedAtItsMinAndMax) {
  SB_REQUIRE_GPU();
  std::set<std::string> tested;  // "slot.variant:param=value"
  for (const Case& c : make_cases(Suite::params))
    for (const auto& [name, value] : c.params)
      tested.insert(c.slot + "." + c.variant + ":" + name + "=" + std::to_string(value));
  for (const Variant* v : Registry::instance().variants("", Backend::cuda)) {
    for (const ParamSpec& spec : v->info.params) {
      EXPECT_LE(spec.min, spec.def) << v->info.key() << ": " << spec.name;
      EXPECT_LE(spec.def, spec.max) << v->info.key() << ": " << spec.name;
      for (int64_t value : {spec.min, spec.max}) {
        if (value == spec.def) continue;
        const std::string key = v->info.key() + ":" + spec.name + "=" + std::to_string(value);
        EXPECT_TRUE(tested.count(key)) << key << " is not tested";
      }
    }
  }
}

TEST(VariantCorrectnessCoverage, EverySlotWithCudaVariantsHasItsCudaReference) {
  SB_REQUIRE_GPU();
  for (const SlotInfo* slot : Registry::instance().slots()) {
    if (Registry::instance().variants(slot->key, Backend::cuda).empty()) continue;
    EXPECT_NE(Registry::instance().find(slot->key, slot->cuda_reference), nullptr)
        << "slot " << slot->key << " has CUDA variants but its CUDA reference '"
        << slot->cuda_reference << "' is not registered";
  }
}

}  // namespace
}  // namespace swapbench::test
