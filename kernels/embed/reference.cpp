// CPU reference of slot `embed`, and the slot's registration.
#include "kernels/common/quant_cpu.h"
#include "kernels/common/variant.h"
#include "kernels/embed/embed.h"

namespace swapbench::embed {

void reference(const Args& a) {
  const uint64_t row = row_bytes(a.type, static_cast<uint64_t>(a.dim));
  const auto* base = static_cast<const uint8_t*>(a.table) + row * static_cast<uint64_t>(*a.token);
  dequantize_row(a.type, base, a.out, a.dim);
}

SB_ON_LOAD {
  Registry::instance().add_slot({.key = "embed",
                                 .family = "embed",
                                 .contract = "out = dequant(table[token]): the embedding row of "
                                             "the current token (read from device memory)",
                                 .cpu_reference = "cpu_ref",
                                 .cuda_reference = "row_copy"});
}

}  // namespace swapbench::embed
