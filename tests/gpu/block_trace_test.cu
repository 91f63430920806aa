// The block trace behind `swapbench timeline` (kernels/common/block_trace.h), end to end on the
// device: this file compiles its own kernels with the hooks on (SWAPBENCH_TRACE, as a trace
// build does), so every build checks that each translation unit's sink is set, that records land
// in their SM's region and come back, and that the timeline reads PDL's ordering from them: a
// dependent grid is released only after its predecessor's last warp ended.
#define SWAPBENCH_TRACE 1

#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "gpu/gpu_support.h"
#include "harness/block_trace_capture.h"
#include "harness/timeline.h"
#include "kernels/common/launch.cuh"

namespace swapbench {
namespace {

using test::DeviceBuffer;

constexpr int kBlocks = 12, kWarps = 3;

// Adds 1 to every element after the grid wait; spins a little first so that the dependent
// launch is resident (and waiting) before this one ends.
__global__ void add_one(int* data, int n) {
  sb_trace_start();
  const long long t0 = clock64();
  while (clock64() - t0 < 20000) {
  }
  sb_grid_wait();
  sb_grid_launch_dependents();
  const int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
  if (i < n) data[i] += 1;
  sb_trace_warp_end();
}

TEST(BlockTrace, RecordsEveryBlockAndWarpAndShowsPdlOrdering) {
  SB_REQUIRE_GPU();
  cudaStream_t s = nullptr;
  SB_CUDA_CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
  const int n = kBlocks * kWarps * 32;
  DeviceBuffer data(sizeof(int) * n);
  data.fill(0, 0, data.size());
  const LaunchCtx ctx{s, nullptr, nullptr, true};
  const auto records = record_blocks(
      [&] {
        for (int k = 0; k < 2; ++k)
          launch_kernel("test.add_one", add_one, dim3(kBlocks), dim3(kWarps * 32), 0, ctx,
                        data.as<int>(), n);
        SB_CUDA_CHECK(cudaStreamSynchronize(s));
      },
      256);
  SB_CUDA_CHECK(cudaStreamDestroy(s));

  std::vector<int> host(n);
  data.download(host.data(), sizeof(int) * n);
  for (int i = 0; i < n; ++i) ASSERT_EQ(host[size_t(i)], 2) << "element " << i;

  // Per block: start, wait begin, wait end; per warp: end.
  EXPECT_EQ(records.size(), size_t(2 * kBlocks * (3 + kWarps)));
  std::set<uint64_t> grids;
  for (const trace::Record& r : records) {
    grids.insert(r.grid);
    EXPECT_LT(r.block, unsigned(kBlocks));
    EXPECT_LE(r.event, unsigned(trace::Event::warp_end));
  }
  EXPECT_EQ(grids.size(), 2u);

  const std::vector<GridSpan> spans = grid_spans(records);
  ASSERT_EQ(spans.size(), 2u);
  for (const GridSpan& g : spans) {
    EXPECT_EQ(g.blocks, kBlocks);
    EXPECT_EQ(g.warp_ends, kBlocks * kWarps);
    EXPECT_LE(g.start_first, g.release_first);
    EXPECT_LE(g.release_last, g.end_last);
  }
  EXPECT_LE(spans[0].start_first, spans[1].start_first);
  EXPECT_GE(spans[1].release_first, spans[0].end_last)
      << "the dependent grid passed its wait before its predecessor's last warp ended";
}

TEST(BlockTrace, NothingIsRecordedOnceTheCaptureReturned) {
  SB_REQUIRE_GPU();
  cudaStream_t s = nullptr;
  SB_CUDA_CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
  DeviceBuffer data(sizeof(int) * 32);
  data.fill(0, 0, data.size());
  const LaunchCtx ctx{s, nullptr, nullptr, false};
  const auto run = [&] {
    launch_kernel("test.add_one", add_one, dim3(1), dim3(32), 0, ctx, data.as<int>(), 32);
    SB_CUDA_CHECK(cudaStreamSynchronize(s));
  };
  EXPECT_EQ(record_blocks(run, 64).size(), 4u);
  run();  // sink off: records nowhere, and must not fault
  EXPECT_EQ(record_blocks([] {}, 64).size(), 0u);
  SB_CUDA_CHECK(cudaStreamDestroy(s));
}

}  // namespace
}  // namespace swapbench
