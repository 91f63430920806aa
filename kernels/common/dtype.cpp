// Table of ggml tensor types (layout from ggml.c's type_traits).
#include "kernels/common/dtype.h"

#include <array>

namespace swapbench {
namespace {

struct Row {
  uint32_t id;
  DTypeInfo info;
};

constexpr std::array kTable{
    Row{0, {"f32", 1, 4, true}},         Row{1, {"f16", 1, 2, true}},
    Row{2, {"q4_0", 32, 18, true}},      Row{3, {"q4_1", 32, 20, true}},
    Row{6, {"q5_0", 32, 22, false}},     Row{7, {"q5_1", 32, 24, false}},
    Row{8, {"q8_0", 32, 34, true}},      Row{9, {"q8_1", 32, 36, false}},
    Row{10, {"q2_k", 256, 84, false}},   Row{11, {"q3_k", 256, 110, false}},
    Row{12, {"q4_k", 256, 144, false}},  Row{13, {"q5_k", 256, 176, false}},
    Row{14, {"q6_k", 256, 210, false}},  Row{15, {"q8_k", 256, 292, false}},
    Row{16, {"iq2_xxs", 256, 66, false}}, Row{17, {"iq2_xs", 256, 74, false}},
    Row{18, {"iq3_xxs", 256, 98, false}}, Row{19, {"iq1_s", 256, 50, false}},
    Row{20, {"iq4_nl", 32, 18, false}},  Row{21, {"iq3_s", 256, 110, false}},
    Row{22, {"iq2_s", 256, 82, false}},  Row{23, {"iq4_xs", 256, 136, false}},
    Row{24, {"i8", 1, 1, false}},        Row{25, {"i16", 1, 2, false}},
    Row{26, {"i32", 1, 4, false}},       Row{27, {"i64", 1, 8, false}},
    Row{28, {"f64", 1, 8, false}},       Row{29, {"iq1_m", 256, 56, false}},
    Row{30, {"bf16", 1, 2, true}},       Row{34, {"tq1_0", 256, 54, false}},
    Row{35, {"tq2_0", 256, 66, false}},
};

}  // namespace

std::optional<DTypeInfo> dtype_info(uint32_t id) {
  for (const Row& r : kTable)
    if (r.id == id) return r.info;
  return std::nullopt;
}

std::optional<DType> dtype_from_name(std::string_view name) {
  for (const Row& r : kTable)
    if (r.info.name == name) return static_cast<DType>(r.id);
  return std::nullopt;
}

}  // namespace swapbench
