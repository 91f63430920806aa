// The cases of the variant correctness tests (variant_correctness_test.cpp): every (CUDA
// variant, shape) of the registry, at the shapes each slot family is tested at (fixed tiny edges,
// three seeded random tiny ones, the smollm2-135m and llama-8b shapes) and, in the params suite,
// each declared parameter at its min and its max. Which tests exist is decided here.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "kernels/common/dtype.h"
#include "kernels/common/variant.h"

namespace swapbench::test::harness {

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

// gtest prints a case as its name.
void PrintTo(const Case& c, std::ostream* os);

// splitmix64's finaliser: seeds and per-element random streams.
uint64_t mix64(uint64_t x);
// FNV-1a of `s`, then mixed: a case's inputs depend only on its problem key's seed.
uint64_t seed_of(const std::string& s);

// A shape of a family, with the position for attention-like slots.
struct Point {
  Shape shape;
  int32_t pos = 0;
  std::string label;
};

// rows x cols and rows2 x cols: the shape of a pair of matrices sharing one input.
Point pair_point(int64_t rows, int64_t rows2, int64_t cols);

// Which cases: every variant against the CPU reference, the bitwise-declared ones against the
// CUDA reference, every parameter's extremes.
enum class Suite { vs_cpu, bitwise, params };

// The gtest case of `v` at point `p` with weight type `t`; `suffix` follows the shape label.
Case make_case(const SlotInfo& slot, const Variant& v, const Point& p, DType t,
               const std::string& suffix, bool inplace = false, Params params = {});

// Every (CUDA variant, applicable shape) of the registry for `suite`, grouped by problem so that
// consecutive tests share inputs and the cached CPU output.
std::vector<Case> make_cases(Suite suite);

}  // namespace swapbench::test::harness
