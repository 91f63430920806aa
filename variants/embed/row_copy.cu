// CUDA reference of `embed`: one block, its threads over the row, each element dequantized alone.
// Saves a host round trip: the token is read on the device, so a captured step embeds whatever
// token the previous step's argmax wrote. Bit-identical to the CPU reference: it uses the same
// integer fp16/bf16 conversions and explicitly rounded q4_1 arithmetic (kernels/common/quant.h).
#include <cuda_runtime.h>

#include "kernels/common/cuda_check.h"
#include "kernels/common/launch.cuh"
#include "kernels/common/quant.h"
#include "kernels/common/reduce.cuh"
#include "kernels/common/traffic.h"
#include "kernels/embed/embed.h"

namespace swapbench::embed {
namespace {

// Element i of a row of `type`; the switch is on a kernel argument, uniform across the block.
__device__ __forceinline__ float element(DType type, const uint8_t* row, int32_t i) {
  switch (type) {
    case DType::f32:
      return reinterpret_cast<const float*>(row)[i];
    case DType::f16:
      return fp16_to_f32(reinterpret_cast<const uint16_t*>(row)[i]);
    case DType::bf16:
      return bf16_to_f32(reinterpret_cast<const uint16_t*>(row)[i]);
    case DType::q8_0:
      return dequant_q8_0(reinterpret_cast<const block_q8_0*>(row)[i / kQK], i % kQK);
    case DType::q4_0:
      return dequant_q4_0(reinterpret_cast<const block_q4_0*>(row)[i / kQK], i % kQK);
    case DType::q4_1:
      return dequant_q4_1(reinterpret_cast<const block_q4_1*>(row)[i / kQK], i % kQK);
    default:
      return __int_as_float(0x7fffffff);  // unreachable: applies() and the launcher refuse it
  }
}

__global__ void row_copy_kernel(const uint8_t* __restrict__ table, const int32_t* __restrict__ token,
                                float* __restrict__ out, int32_t dim, uint64_t row_stride,
                                DType type) {
  sb_grid_wait();
  sb_grid_launch_dependents();
  const uint8_t* row = table + static_cast<uint64_t>(*token) * row_stride;  // 64-bit: >2 GiB tables
  for (int32_t i = static_cast<int32_t>(threadIdx.x); i < dim; i += static_cast<int32_t>(blockDim.x))
    out[i] = element(type, row, i);
}

bool decodable(DType t) {
  return t == DType::f32 || t == DType::f16 || t == DType::bf16 || t == DType::q8_0 ||
         t == DType::q4_0 || t == DType::q4_1;
}

void launch(const Args& a, const LaunchCtx& ctx) {
  if (!decodable(a.type))
    throw std::invalid_argument("embed.row_copy: table type " + std::string(name(a.type)) +
                                " is not decodable");
  // One element per thread for the small model's 576; 4096 takes four passes of 1024.
  const int threads = cuda::whole_warps(a.dim);
  launch_kernel("embed.row_copy", row_copy_kernel, 1, threads, 0, ctx,
                static_cast<const uint8_t*>(a.table), a.token, a.out, a.dim,
                row_bytes(a.type, static_cast<uint64_t>(a.dim)), a.type);
}

}  // namespace

SB_ON_LOAD {
  register_variant<Args>(
      {.slot = "embed",
       .name = "row_copy",
       .backend = Backend::cuda,
       .equality = Equality::bitwise,
       .rationale = "One block whose threads dequantize the current token's row element by "
                    "element; the token id is read on the device so the step stays capturable. "
                    "Same integer conversions as the CPU reference, hence bit-identical.",
       .applies = [](const Shape& s) { return require(s.cols % kQK == 0 && s.cols > 0,
                                                      "dim must be a positive multiple of 32"); },
       .bytes = [](const Shape& s) { return traffic::embed_bytes(DType::q8_0, s); }},
      &launch);
}

}  // namespace swapbench::embed
