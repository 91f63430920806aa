// What every attn_in variant needs of its shape: whole 32-element blocks per row and even heads
// (rope pairs), checked once here so the variants agree.
#pragma once

#include <optional>
#include <string>

#include "kernels/common/variant.h"

namespace swapbench::attn_in {

inline std::optional<std::string> shape_ok(const Shape& s) {
  if (auto r = require(s.cols > 0 && s.cols % 32 == 0, "cols (dim) must be a positive multiple of 32"))
    return r;
  return require(s.head_dim > 0 && s.head_dim % 2 == 0 && s.heads > 0 && s.kv_heads > 0 &&
                     s.rows == s.heads * s.head_dim && s.rows2 == s.kv_heads * s.head_dim,
                 "head_dim must be even, rows = heads * head_dim, rows2 = kv_heads * head_dim");
}

}  // namespace swapbench::attn_in
