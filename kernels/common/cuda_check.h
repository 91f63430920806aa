// The one CUDA error check: statement, file:line and device in the message, thrown as
// CudaError so a broken variant becomes a recorded failure rather than a dead process.
#pragma once

#include <cuda_runtime.h>

#include <string>

#include "kernels/common/device_fault.h"

namespace swapbench {

struct CudaError : DeviceFault {
  using DeviceFault::DeviceFault;
};

[[noreturn]] inline void cuda_fail(cudaError_t err, const char* stmt, const char* file, int line) {
  int dev = -1;
  cudaGetDevice(&dev);
  throw CudaError(std::string(cudaGetErrorName(err)) + " (" + cudaGetErrorString(err) + ") in `" +
                  stmt + "` at " + file + ":" + std::to_string(line) + " on device " +
                  std::to_string(dev));
}

}  // namespace swapbench

// Checks a runtime call: SB_CUDA_CHECK(cudaMalloc(&p, n));
#define SB_CUDA_CHECK(stmt)                                                           \
  do {                                                                                \
    const cudaError_t sb_err_ = (stmt);                                               \
    if (sb_err_ != cudaSuccess) ::swapbench::cuda_fail(sb_err_, #stmt, __FILE__, __LINE__); \
  } while (0)

// Checks the launch just issued (configuration errors; faults surface at the next sync):
//   kernel<<<g, b, 0, s>>>(...); SB_CHECK_LAUNCH("rmsnorm.serial");
#define SB_CHECK_LAUNCH(what)                                                         \
  do {                                                                                \
    const cudaError_t sb_err_ = cudaGetLastError();                                   \
    if (sb_err_ != cudaSuccess) ::swapbench::cuda_fail(sb_err_, what, __FILE__, __LINE__); \
  } while (0)
