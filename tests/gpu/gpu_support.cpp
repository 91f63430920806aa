#include "gpu/gpu_support.h"

#include <cuda_runtime.h>

#include <cmath>
#include <utility>

#include "kernels/common/cuda_check.h"

namespace swapbench::test {

bool gpu_present(std::string* why) {
  static const std::string reason = [] {
    int count = 0;
    const cudaError_t err = cudaGetDeviceCount(&count);
    if (err != cudaSuccess) {
      cudaGetLastError();  // clear it, so later checks do not report it
      return std::string("no CUDA device: ") + cudaGetErrorString(err);
    }
    if (count == 0) return std::string("no CUDA device: cudaGetDeviceCount found 0 devices");
    return std::string();
  }();
  if (why) *why = reason;
  return reason.empty();
}

DeviceBuffer::DeviceBuffer(size_t bytes) : bytes_(bytes) {
  if (bytes > 0) SB_CUDA_CHECK(cudaMalloc(&ptr_, bytes));
}

DeviceBuffer::~DeviceBuffer() {
  if (ptr_) cudaFree(ptr_);  // no throw from a destructor; a failed free leaks at worst
}

DeviceBuffer::DeviceBuffer(DeviceBuffer&& o) noexcept
    : ptr_(std::exchange(o.ptr_, nullptr)), bytes_(std::exchange(o.bytes_, 0)) {}

DeviceBuffer& DeviceBuffer::operator=(DeviceBuffer&& o) noexcept {
  if (this != &o) {
    if (ptr_) cudaFree(ptr_);
    ptr_ = std::exchange(o.ptr_, nullptr);
    bytes_ = std::exchange(o.bytes_, 0);
  }
  return *this;
}

void DeviceBuffer::upload(const void* src, size_t bytes, size_t offset) {
  if (bytes == 0) return;
  SB_CUDA_CHECK(cudaMemcpy(static_cast<uint8_t*>(ptr_) + offset, src, bytes,
                           cudaMemcpyHostToDevice));
}

void DeviceBuffer::download(void* dst, size_t bytes, size_t offset) const {
  if (bytes == 0) return;
  SB_CUDA_CHECK(cudaMemcpy(dst, static_cast<const uint8_t*>(ptr_) + offset, bytes,
                           cudaMemcpyDeviceToHost));
}

std::vector<uint8_t> DeviceBuffer::download_all() const {
  std::vector<uint8_t> out(bytes_);
  download(out.data(), bytes_);
  return out;
}

void DeviceBuffer::fill(uint8_t byte, size_t offset, size_t bytes) {
  if (bytes == 0) return;
  SB_CUDA_CHECK(cudaMemset(static_cast<uint8_t*>(ptr_) + offset, byte, bytes));
}

double nmse(const float* got, const float* ref, size_t n) {
  double num = 0.0, den = 0.0;
  for (size_t i = 0; i < n; ++i) {
    const double d = double(got[i]) - double(ref[i]);
    num += d * d;
    den += double(ref[i]) * double(ref[i]);
  }
  if (den == 0.0) return num == 0.0 ? 0.0 : INFINITY;
  return num / den;
}

size_t count_unwritten(const float* got, const float* ref, size_t n, size_t* first) {
  size_t count = 0;
  for (size_t i = 0; i < n; ++i) {
    if (std::isnan(got[i]) && std::isfinite(ref[i])) {
      if (count == 0 && first) *first = i;
      ++count;
    }
  }
  return count;
}

}  // namespace swapbench::test
