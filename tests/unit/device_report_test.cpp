// The device report's derived figure and its printed and JSON forms (harness/device_info.h).
// The measurement itself needs a GPU: tests/gpu/device_info_gpu_test.cpp.
#include <gtest/gtest.h>

#include "harness/device_info.h"

namespace swapbench {
namespace {

DeviceReport measured(double launch_us, double chain_node_us) {
  DeviceReport r;
  r.available = true;
  r.name = "Test GPU";
  r.launch_us = launch_us;
  r.graph_node_us = 0.5;
  r.chain_node_us = chain_node_us;
  return r;
}

TEST(GraphsRatioCeiling, IsTheEagerLaunchOverTheDependentNode) {
  EXPECT_DOUBLE_EQ(graphs_ratio_ceiling(measured(3.2, 1.6)), 2.0);
  EXPECT_DOUBLE_EQ(graphs_ratio_ceiling(measured(4.5, 1.5)), 3.0);
}

TEST(GraphsRatioCeiling, IsZeroWhenEitherCostIsUnmeasured) {
  EXPECT_EQ(graphs_ratio_ceiling(measured(0.0, 1.6)), 0.0);
  EXPECT_EQ(graphs_ratio_ceiling(measured(3.2, 0.0)), 0.0);
  EXPECT_EQ(graphs_ratio_ceiling(DeviceReport{}), 0.0);
}

TEST(DeviceReport, JsonAndTextCarryTheDependentNodeAndTheCeiling) {
  const DeviceReport r = measured(3.0, 1.25);
  const nlohmann::json j = to_json(r);
  EXPECT_DOUBLE_EQ(j.at("chain_node_us").get<double>(), 1.25);
  EXPECT_DOUBLE_EQ(j.at("graphs_ratio_ceiling").get<double>(), 2.4);
  const std::string text = describe(r);
  EXPECT_NE(text.find("dependent node:   1.25 us"), std::string::npos) << text;
  EXPECT_NE(text.find("graphs on/off ceiling: 2.40"), std::string::npos) << text;
}

}  // namespace
}  // namespace swapbench
