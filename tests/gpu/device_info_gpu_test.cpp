// `device-info`'s measurements on a real GPU (harness/device_info.cu): every limit is measured,
// and the dependent chain, a full grid per node that waits on its predecessor, costs more than an
// empty one-block node, as the floor of a decode launch must.
#include <gtest/gtest.h>

#include <cmath>

#include "gpu/gpu_support.h"
#include "harness/device_info.h"

namespace swapbench {
namespace {

TEST(DeviceInfoGpu, MeasuresEveryLimitAndTheDependentChainCostsMoreThanAnEmptyNode) {
  SB_REQUIRE_GPU();
  const DeviceReport r = measure_device();
  ASSERT_TRUE(r.available) << r.why_unavailable;
  EXPECT_GT(r.sm_count, 0);
  EXPECT_GT(r.read_gbps, 10.0);
  EXPECT_GT(r.launch_us, 0.0);
  EXPECT_GT(r.graph_node_us, 0.0);
  ASSERT_TRUE(std::isfinite(r.chain_node_us));
  EXPECT_GT(r.chain_node_us, r.graph_node_us)
      << "a full-grid node that waits on its predecessor cannot be cheaper than an empty one";
  EXPECT_DOUBLE_EQ(graphs_ratio_ceiling(r), r.launch_us / r.chain_node_us);
}

}  // namespace
}  // namespace swapbench
