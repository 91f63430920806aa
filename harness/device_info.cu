// Measures the device's limits: stream-read bandwidth, copy bandwidth, the cost of an eager
// launch and of a graph node. Timed with device events, after a warm-up, median of repeats.
#include <cuda_runtime.h>

#include <algorithm>
#include <vector>

#include "harness/device_info.h"
#include "harness/nvml.h"
#include "kernels/common/cuda_check.h"
#include "kernels/common/launch.cuh"

namespace swapbench {
namespace {

// Reads n uint4 once with a grid-stride loop; the xor result is written only if it equals a
// value it never takes, so the loads cannot be optimised away and nothing is written.
__global__ void read_kernel(const uint4* __restrict__ p, size_t n, unsigned* sink) {
  unsigned acc = 0;
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < n;
       i += size_t(gridDim.x) * blockDim.x) {
    const uint4 v = __ldcs(p + i);
    acc ^= v.x ^ v.y ^ v.z ^ v.w;
  }
  if (acc == 0x9e3779b9u) *sink = acc;
}

__global__ void empty_kernel() {}

// One kernel boundary of a decode step at its cheapest: a full grid that waits for its
// predecessor (the engine's PDL rule, launch.cuh), reads a value another block of it wrote and
// writes one for its successor. No weights, no reduction: what is left is the boundary itself
// (the predecessor's completion and flush, the release, one L2 round trip), the floor under
// every launch of a graph-replayed step.
__global__ void chain_kernel(const float* __restrict__ in, float* __restrict__ out, int n) {
  sb_grid_wait();
  sb_grid_launch_dependents();
  const int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
  out[i] = __ldcg(in + (i + static_cast<int>(blockDim.x)) % n) + 1.0f;
}

template <class F>
double median_ms(cudaStream_t s, int reps, F&& body) {
  cudaEvent_t a, b;
  SB_CUDA_CHECK(cudaEventCreate(&a));
  SB_CUDA_CHECK(cudaEventCreate(&b));
  std::vector<float> ms;
  for (int r = 0; r < reps + 2; ++r) {  // two warm-ups
    SB_CUDA_CHECK(cudaEventRecord(a, s));
    body();
    SB_CUDA_CHECK(cudaEventRecord(b, s));
    SB_CUDA_CHECK(cudaEventSynchronize(b));
    float t = 0;
    SB_CUDA_CHECK(cudaEventElapsedTime(&t, a, b));
    if (r >= 2) ms.push_back(t);
  }
  cudaEventDestroy(a);
  cudaEventDestroy(b);
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

// Captures launch(0) .. launch(n - 1) on s into a graph and returns the median replay time per
// node, us.
template <class F>
double graph_us_per_node(cudaStream_t s, int n, F&& launch) {
  cudaGraph_t g;
  cudaGraphExec_t ge;
  SB_CUDA_CHECK(cudaStreamBeginCapture(s, cudaStreamCaptureModeGlobal));
  for (int i = 0; i < n; ++i) launch(i);
  SB_CUDA_CHECK(cudaStreamEndCapture(s, &g));
  SB_CUDA_CHECK(cudaGraphInstantiate(&ge, g, 0));
  const double ms = median_ms(s, 5, [&] { SB_CUDA_CHECK(cudaGraphLaunch(ge, s)); });
  cudaGraphExecDestroy(ge);
  cudaGraphDestroy(g);
  return ms * 1e3 / n;
}

void fill_identity(DeviceReport& r, int dev) {
  cudaDeviceProp prop{};
  SB_CUDA_CHECK(cudaGetDeviceProperties(&prop, dev));
  r.name = prop.name;
  r.sm_major = prop.major;
  r.sm_minor = prop.minor;
  r.sm_count = prop.multiProcessorCount;
  r.memory_gib = double(prop.totalGlobalMem) / double(1ull << 30);
  r.l2_mib = double(prop.l2CacheSize) / double(1 << 20);
  char uuid[64];
  const unsigned char* u = reinterpret_cast<const unsigned char*>(prop.uuid.bytes);
  snprintf(uuid, sizeof uuid, "GPU-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
           u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
           u[14], u[15]);
  r.uuid = uuid;
  int rt = 0;
  cudaRuntimeGetVersion(&rt);
  r.cuda_runtime = std::to_string(rt / 1000) + "." + std::to_string(rt % 1000 / 10);
  if (auto v = nvml::driver_version()) r.driver = *v;
  if (r.driver.empty()) {
    int d = 0;
    cudaDriverGetVersion(&d);
    r.driver = "CUDA " + std::to_string(d / 1000) + "." + std::to_string(d % 1000 / 10);
  }
}

}  // namespace

DeviceReport measure_device() {
  DeviceReport r;
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess || n == 0) {
    cudaGetLastError();
    r.why_unavailable = "no CUDA device visible";
    return r;
  }
  int dev = 0;
  SB_CUDA_CHECK(cudaGetDevice(&dev));
  fill_identity(r, dev);
  r.available = true;

  cudaStream_t s;
  SB_CUDA_CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
  // 2 GiB: far beyond L2 (50-60 MiB), so the read comes from HBM.
  const size_t bytes = size_t(2) << 30;
  void *src = nullptr, *dst = nullptr;
  unsigned* sink = nullptr;
  SB_CUDA_CHECK(cudaMalloc(&src, bytes));
  SB_CUDA_CHECK(cudaMalloc(&dst, bytes));
  SB_CUDA_CHECK(cudaMalloc(&sink, sizeof(unsigned)));
  SB_CUDA_CHECK(cudaMemsetAsync(src, 0x5a, bytes, s));  // never time on an untouched buffer
  const int blocks = r.sm_count * 8;
  const double read_ms = median_ms(s, 10, [&] {
    read_kernel<<<blocks, 512, 0, s>>>(static_cast<const uint4*>(src), bytes / 16, sink);
    SB_CHECK_LAUNCH("device_info.read");
  });
  r.read_gbps = double(bytes) / (read_ms * 1e6);
  const double copy_ms = median_ms(s, 10, [&] {
    SB_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, s));
  });
  r.copy_gbps = 2.0 * double(bytes) / (copy_ms * 1e6);

  constexpr int kLaunches = 2000;
  const double eager_ms = median_ms(s, 5, [&] {
    for (int i = 0; i < kLaunches; ++i) empty_kernel<<<1, 32, 0, s>>>();
    SB_CHECK_LAUNCH("device_info.empty");
  });
  r.launch_us = eager_ms * 1e3 / kLaunches;

  r.graph_node_us = graph_us_per_node(s, kLaunches, [&](int) {
    empty_kernel<<<1, 32, 0, s>>>();
    SB_CHECK_LAUNCH("device_info.empty");
  });

  // The dependent chain: one block per SM, 256 threads, ping-pong buffers, PDL edges.
  const unsigned chain_threads = 256, chain_blocks = static_cast<unsigned>(r.sm_count);
  const int chain_n = static_cast<int>(chain_threads * chain_blocks);
  float* ping = static_cast<float*>(dst);
  float* pong = ping + chain_n;
  const LaunchCtx pdl{.stream = s, .pdl = true};
  r.chain_node_us = graph_us_per_node(s, kLaunches, [&](int i) {
    launch_kernel("device_info.chain", chain_kernel, chain_blocks, chain_threads, 0, pdl,
                  i % 2 ? pong : ping, i % 2 ? ping : pong, chain_n);
  });
  cudaFree(src);
  cudaFree(dst);
  cudaFree(sink);
  cudaStreamDestroy(s);
  return r;
}

}  // namespace swapbench
