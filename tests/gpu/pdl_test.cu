// Programmatic dependent launch through launch_kernel (kernels/common/launch.cuh): stream capture
// turns the attribute into a programmatic graph edge (and leaves plain launches plain), and a
// consumer that calls sb_grid_wait() first sees every write of its producer, eager or replayed.
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <vector>

#include "gpu/gpu_support.h"
#include "kernels/common/cuda_check.h"
#include "kernels/common/launch.cuh"

namespace swapbench {
namespace {

constexpr int kBlocks = 264, kThreads = 256, kN = kBlocks * kThreads;

// Writes buf[i] = round * kN + i after a delay that grows with the block index, so a consumer
// that did not wait would read the previous round's values.
__global__ void produce(int* buf, int round) {
  sb_grid_wait();
  sb_grid_launch_dependents();
  const int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
  __nanosleep(200u * blockIdx.x % 20000u);
  buf[i] = round * kN + i;
}

__global__ void consume(const int* buf, int round, int* errors) {
  sb_grid_wait();
  sb_grid_launch_dependents();
  const int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
  if (buf[i] != round * kN + i) atomicAdd(errors, 1);
}

struct Buffers {
  Buffers() {
    SB_CUDA_CHECK(cudaMalloc(&buf, sizeof(int) * kN));
    SB_CUDA_CHECK(cudaMalloc(&errors, sizeof(int)));
    SB_CUDA_CHECK(cudaMemset(buf, 0xff, sizeof(int) * kN));
    SB_CUDA_CHECK(cudaMemset(errors, 0, sizeof(int)));
    SB_CUDA_CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  }
  ~Buffers() {
    cudaFree(buf);
    cudaFree(errors);
    cudaStreamDestroy(stream);
  }
  int read_errors() const {
    int e = -1;
    SB_CUDA_CHECK(cudaStreamSynchronize(stream));
    SB_CUDA_CHECK(cudaMemcpy(&e, errors, sizeof(int), cudaMemcpyDeviceToHost));
    return e;
  }
  int* buf = nullptr;
  int* errors = nullptr;
  cudaStream_t stream = nullptr;
};

void issue(const Buffers& b, const LaunchCtx& ctx, int round) {
  launch_kernel("test.produce", produce, kBlocks, kThreads, 0, ctx, b.buf, round);
  launch_kernel("test.consume", consume, kBlocks, kThreads, 0, ctx, b.buf, round, b.errors);
}

std::vector<cudaGraphEdgeData> captured_edges(const Buffers& b, bool pdl) {
  cudaGraph_t g = nullptr;
  SB_CUDA_CHECK(cudaStreamBeginCapture(b.stream, cudaStreamCaptureModeGlobal));
  issue(b, LaunchCtx{b.stream, nullptr, nullptr, pdl}, 1);
  SB_CUDA_CHECK(cudaStreamEndCapture(b.stream, &g));
  size_t n = 0;
  SB_CUDA_CHECK(cudaGraphGetEdges(g, nullptr, nullptr, nullptr, &n));
  std::vector<cudaGraphNode_t> from(n), to(n);
  std::vector<cudaGraphEdgeData> data(n);
  SB_CUDA_CHECK(cudaGraphGetEdges(g, from.data(), to.data(), data.data(), &n));
  SB_CUDA_CHECK(cudaGraphDestroy(g));
  return data;
}

TEST(Pdl, CaptureTurnsThePdlAttributeIntoAProgrammaticEdge) {
  SB_REQUIRE_GPU();
  Buffers b;
  const std::vector<cudaGraphEdgeData> on = captured_edges(b, true);
  ASSERT_EQ(on.size(), 1u);
  EXPECT_EQ(on[0].type, cudaGraphDependencyTypeProgrammatic);
  const std::vector<cudaGraphEdgeData> off = captured_edges(b, false);
  ASSERT_EQ(off.size(), 1u);
  EXPECT_EQ(off[0].type, cudaGraphDependencyTypeDefault);
}

TEST(Pdl, ConsumerThatWaitsSeesEveryWriteEagerAndReplayed) {
  SB_REQUIRE_GPU();
  Buffers b;
  const LaunchCtx ctx{b.stream, nullptr, nullptr, true};
  for (int round = 0; round < 50; ++round) issue(b, ctx, round);
  EXPECT_EQ(b.read_errors(), 0) << "eager";

  cudaGraph_t g = nullptr;
  cudaGraphExec_t exec = nullptr;
  SB_CUDA_CHECK(cudaStreamBeginCapture(b.stream, cudaStreamCaptureModeGlobal));
  for (int round = 0; round < 50; ++round) issue(b, ctx, round);
  SB_CUDA_CHECK(cudaStreamEndCapture(b.stream, &g));
  SB_CUDA_CHECK(cudaGraphInstantiate(&exec, g, 0));
  for (int rep = 0; rep < 4; ++rep) SB_CUDA_CHECK(cudaGraphLaunch(exec, b.stream));
  EXPECT_EQ(b.read_errors(), 0) << "graph";
  SB_CUDA_CHECK(cudaGraphExecDestroy(exec));
  SB_CUDA_CHECK(cudaGraphDestroy(g));
}

}  // namespace
}  // namespace swapbench
