// Registers a slot family's CPU reference for every weight type (slot keys <family>.<type>);
// shared by the matvec families' and the fused input slots' cpu_ref.cpp files so they differ
// only in what they compute.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "kernels/common/traffic.h"
#include "kernels/matvec/matvec.h"

namespace swapbench::matvec {

// applies may be empty (every shape).
template <class Args>
void register_cpu_refs(const char* family, void (*reference)(const Args&), const char* rationale,
                       std::function<std::optional<std::string>(const Shape&)> applies,
                       std::function<double(DType, const Shape&)> bytes,
                       double (*flops)(const Shape&)) {
  static void (*ref)(const Args&) = reference;
  for (DType t : kTypes) {
    register_variant<Args>(
        {.slot = slot_key(family, t),
         .name = "cpu_ref",
         .backend = Backend::cpu,
         .equality = Equality::bitwise,
         .rationale = rationale,
         .applies = applies,
         .bytes = [t, bytes](const Shape& s) { return bytes(t, s); },
         .flops = flops},
        +[](const Args& a, const LaunchCtx&) { ref(a); });
  }
}

// A matvec family's (matvec, matvec_pair, matvec_residual): any shape, the matvec's traffic.
template <class Args>
void register_cpu_refs(const char* family, void (*reference)(const Args&), bool residual) {
  register_cpu_refs<Args>(
      family, reference,
      "Dequantizes each 32-element block and accumulates in double: the reference.", {},
      [residual](DType t, const Shape& s) { return traffic::matvec_bytes(t, s, residual); },
      &traffic::matvec_flops);
}

}  // namespace swapbench::matvec
