// Registers a matvec-family slot's CPU reference for every weight type; shared by the three
// families' cpu_ref.cpp files so they differ only in what they compute.
#pragma once

#include "kernels/common/traffic.h"
#include "kernels/matvec/matvec.h"

namespace swapbench::matvec {

template <class Args>
void register_cpu_refs(const char* family, void (*reference)(const Args&), bool residual) {
  static void (*ref)(const Args&) = reference;
  for (DType t : kTypes) {
    register_variant<Args>(
        {.slot = slot_key(family, t),
         .name = "cpu_ref",
         .backend = Backend::cpu,
         .equality = Equality::bitwise,
         .rationale = "Dequantizes each 32-element block and accumulates in double: the reference.",
         .bytes = [t, residual](const Shape& s) { return traffic::matvec_bytes(t, s, residual); },
         .flops = [](const Shape& s) { return traffic::matvec_flops(s); }},
        +[](const Args& a, const LaunchCtx&) { ref(a); });
  }
}

}  // namespace swapbench::matvec
