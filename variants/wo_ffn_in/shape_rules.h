// What every wo_ffn_in variant needs of its shape, checked once here so the variants agree.
#pragma once

#include <optional>
#include <string>

#include "kernels/common/variant.h"

namespace swapbench::wo_ffn_in {

inline std::optional<std::string> shape_ok(const Shape& s) {
  return require(s.cols > 0 && s.cols % 32 == 0 && s.rows > 0 && s.rows2 == s.rows,
                 "cols (dim) must be a positive multiple of 32 and rows == rows2 > 0");
}

}  // namespace swapbench::wo_ffn_in
