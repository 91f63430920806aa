// Tests that every CUDA variant in the registry computes its slot's contract: against the slot's
// CPU reference (NMSE <= 1e-6 on float paths, the dp4a bound for dp4a matvecs, exact equality
// for embed and argmax) at tiny random shapes and at every shape the smollm2-135m and llama-8b
// models use; that it writes every output element (outputs are poisoned with 0xFF before every
// launch), nothing outside its outputs, and none of its inputs; and, for variants declaring
// Equality::bitwise, that its bytes equal the slot's CUDA reference variant on the same inputs.
//
// Which cases exist: variant_cases.h. Each case's inputs and how to call its slot (one builder
// per slot family): variant_problems.h. Inputs depend only on (slot, shape, seed), so every
// variant of a slot sees the same ones and the CPU reference output is computed once per process
// for them (cached). This file runs the cases and checks what they wrote.
#include <gtest/gtest.h>

#include <algorithm>
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
#include <vector>

#include "gpu/gpu_support.h"
#include "gpu/variant_cases.h"
#include "gpu/variant_problems.h"
#include "kernels/attn_in/attn_in.h"
#include "kernels/common/cuda_check.h"
#include "kernels/common/quant_cpu.h"
#include "kernels/common/variant.h"
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

using namespace harness;

constexpr double kFloatNmseBound = 1e-6;
constexpr size_t kCheckInputsUpTo = 64 << 20;    // inputs this small are checked to stay unchanged
constexpr size_t kCacheBytes = size_t(4) << 30;  // problems (host + device) kept between tests

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

// The f32 elements of a buffer's bytes.
std::vector<float> floats_of(const std::vector<uint8_t>& bytes) {
  std::vector<float> out(bytes.size() / sizeof(float));
  std::memcpy(out.data(), bytes.data(), out.size() * sizeof(float));
  return out;
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
    const std::vector<float> gf = floats_of(g), wf = floats_of(w);
    const size_t n = gf.size();
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
  size_t k = 0;
  for (const Buffer& b : p.bufs) {
    if (!b.output()) continue;
    const std::vector<float> g = floats_of(got[k]), f = floats_of(want[k]);
    ++k;
    const std::string matrix = b.name == "y1" ? "w1" : b.name == "y2" ? "w2" : "w";
    const uint8_t* rows = buffer_named(p, matrix).init.data();
    // Each row's bound (its weights dequantized: the output matrix's 128256 rows too), in
    // parallel; the first row past its bound is reported.
    std::vector<double> err(g.size()), bound(g.size());
    parallel_for(g.size(), 256, [&](size_t r0, size_t r1) {
      std::vector<float> w(static_cast<size_t>(cols));
      for (size_t r = r0; r < r1; ++r) {
        dequantize_row(c.type, rows + stride * r, w.data(), cols);
        bound[r] = matvec::dp4a_row_bound(w.data(), x.data(), cols, residual ? res[r] : 0);
        err[r] = std::fabs(double(g[r]) - double(f[r]));
      }
    });
    for (size_t r = 0; r < g.size(); ++r) {
      if (!(err[r] <= bound[r])) {
        ADD_FAILURE() << what << ": '" << b.name << "'[" << r << "] = " << describe_float(g[r])
                      << ", reference " << describe_float(f[r]) << ": off by " << err[r]
                      << ", more than the row's dp4a bound " << bound[r] << " (dp4a_bound.h)";
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
    const Variant* v =
        Registry::instance().find(matvec::slot_key("wo_ffn_in", t), "coalesced_dp4a");
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
