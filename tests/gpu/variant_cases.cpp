// The cases of the variant correctness tests: shapes per slot family, and the cases made of them.
#include "gpu/variant_cases.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <utility>

#include "kernels/matvec/matvec.h"

namespace swapbench::test::harness {

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

uint64_t seed_of(const std::string& s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char ch : s) h = (h ^ ch) * 0x100000001b3ull;
  return mix64(h);
}

Point pair_point(int64_t rows, int64_t rows2, int64_t cols) {
  return {Shape{.rows = rows, .rows2 = rows2, .cols = cols}, 0,
          "rows" + std::to_string(rows) + "_rows2_" + std::to_string(rows2) + "_cols" +
              std::to_string(cols)};
}

namespace {

Point vec_point(int64_t n) { return {Shape{.cols = n}, 0, "n" + std::to_string(n)}; }
Point mat_point(int64_t rows, int64_t cols) {
  return {Shape{.rows = rows, .cols = cols}, 0,
          "rows" + std::to_string(rows) + "_cols" + std::to_string(cols)};
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

}  // namespace

Case make_case(const SlotInfo& slot, const Variant& v, const Point& p, DType t,
               const std::string& suffix, bool inplace, Params params) {
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

}  // namespace swapbench::test::harness
