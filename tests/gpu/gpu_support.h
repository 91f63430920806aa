// Support for the `gpu`-labelled tests: detecting a device (and skipping, visibly, without one),
// device buffers that free themselves, and output poisoning: fill outputs with 0xFF bytes (NaN
// as f32, -1 as i32) before a launch, so an element the kernel never wrote cannot pass.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace swapbench::test {

// True when a CUDA device can be used; otherwise false with `why` set to
// "no CUDA device: <cudaGetErrorString>". Probed once per process.
bool gpu_present(std::string* why);

// Device memory owned by the object (cudaMalloc/cudaFree); moves, never copies. Every call
// throws swapbench::CudaError with file:line on failure. Zero bytes is a valid, null buffer.
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(size_t bytes);
  ~DeviceBuffer();
  DeviceBuffer(DeviceBuffer&& o) noexcept;
  DeviceBuffer& operator=(DeviceBuffer&& o) noexcept;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  void* get() const { return ptr_; }
  template <class T>
  T* as() const {
    return static_cast<T*>(ptr_);
  }
  size_t size() const { return bytes_; }

  void upload(const void* src, size_t bytes, size_t offset = 0);
  void download(void* dst, size_t bytes, size_t offset = 0) const;
  std::vector<uint8_t> download_all() const;
  void fill(uint8_t byte, size_t offset, size_t bytes);  // cudaMemset of a byte range
  // 0xFF bytes over [offset, offset + bytes): NaN as f32, -1 as i32.
  void poison(size_t offset, size_t bytes) { fill(0xFF, offset, bytes); }
  void poison() { poison(0, bytes_); }

 private:
  void* ptr_ = nullptr;
  size_t bytes_ = 0;
};

// Normalised mean squared error sum((got - ref)^2) / sum(ref^2), in double.
double nmse(const float* got, const float* ref, size_t n);

// Elements of `got` that are NaN where `ref` is finite: outputs the kernel left poisoned (or
// wrote as NaN). `first` gets the lowest such index when there is one.
size_t count_unwritten(const float* got, const float* ref, size_t n, size_t* first = nullptr);

}  // namespace swapbench::test

// Skips the calling test, with the reason printed, when no CUDA device can be used.
#define SB_REQUIRE_GPU()                                          \
  do {                                                            \
    std::string sb_gpu_why_;                                      \
    if (!::swapbench::test::gpu_present(&sb_gpu_why_))            \
      GTEST_SKIP() << sb_gpu_why_;                                \
  } while (0)
