// The equality ladder: how close a trial's logits are to the reference trial's, strongest
// class first: bitwise -> ulp<=N -> nmse<=eps -> top1 -> greedy -> diverged@k.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace swapbench::equality {

// 64-bit FNV-1a of the bytes of `n` floats: the per-step logits fingerprint.
uint64_t fingerprint(const float* x, size_t n);

// Distance in units in the last place between two floats (0 for identical bits, +0 vs -0 is
// 0; a NaN on either side is the maximum).
uint64_t ulp_distance(float a, float b);

// Normalised mean squared error sum((a-b)^2) / sum(b^2), b the reference.
double nmse(const std::vector<float>& a, const std::vector<float>& ref);

// One decoded step of a trial: the token it chose and, when kept, its logits.
struct Step {
  int32_t token = 0;
  std::vector<float> logits;  // empty when not kept
};

struct Thresholds {
  uint64_t max_ulp = 64;  // the loosest ulp<=N class before falling to nmse
  double max_nmse = 1e-6;
};

enum class Class { bitwise, ulp, nmse, top1, greedy, diverged };

struct Verdict {
  Class cls = Class::bitwise;
  uint64_t ulp = 0;         // max ULP distance seen (class ulp)
  double nmse = 0;          // max per-step NMSE (classes nmse and weaker)
  int32_t first_step = -1;  // diverged: first step whose token differs
  std::string text() const;  // "bitwise", "ulp<=3", "nmse<=2.1e-07", "top1", "greedy", "diverged@12"
  // True when this verdict satisfies a declared class ("bitwise" needs bitwise; "reassociates"
  // needs at least top1).
  bool satisfies_bitwise() const { return cls == Class::bitwise; }
};

// Classifies `trial` against `ref`, compared step by step over the shorter of the two. Steps
// without logits on either side can only support token comparisons (greedy / diverged).
Verdict classify(const std::vector<Step>& trial, const std::vector<Step>& ref,
                 const Thresholds& t = {});

}  // namespace swapbench::equality
