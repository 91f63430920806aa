// `device-info` run in a child process (runner/bench.h): whatever the child does, bench and sweep
// get a JSON object they can read with defaults, never null (value() on null throws).
#include <gtest/gtest.h>

#include "runner/bench.h"

namespace swapbench {
namespace {

TEST(DeviceInfoChild, AMissingProgramGivesAnEmptyObject) {
  const nlohmann::json d = device_info_in_child("/nonexistent/swapbench");
  ASSERT_TRUE(d.is_object());
  EXPECT_TRUE(d.empty());
  EXPECT_EQ(d.value("read_gbps", 0.0), 0.0);
  EXPECT_EQ(d.value("launch_us", -1.0), -1.0);
}

TEST(DeviceInfoChild, OutputThatIsNotAJsonObjectGivesAnEmptyObject) {
  // /bin/echo prints its arguments ("device-info --json") and exits 0: not JSON.
  EXPECT_EQ(device_info_in_child("/bin/echo"), nlohmann::json::object());
  // /bin/true prints nothing.
  EXPECT_EQ(device_info_in_child("/bin/true"), nlohmann::json::object());
}

}  // namespace
}  // namespace swapbench
