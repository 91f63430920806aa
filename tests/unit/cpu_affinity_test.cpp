// The CPU list format of bench/sweep --cpus and pinning a trial's thread (harness/cpu_affinity.h).
#include "harness/cpu_affinity.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

namespace swapbench::affinity {
namespace {

TEST(CpuAffinity, ParsesSinglesRangesAndDuplicatesIntoASortedSet) {
  EXPECT_EQ(parse_cpu_list("2"), (std::vector<int>{2}));
  EXPECT_EQ(parse_cpu_list("8,0-3"), (std::vector<int>{0, 1, 2, 3, 8}));
  EXPECT_EQ(parse_cpu_list("3,3,2-3"), (std::vector<int>{2, 3}));
  EXPECT_EQ(parse_cpu_list("5-5"), (std::vector<int>{5}));
}

TEST(CpuAffinity, RejectsMalformedListsNamingThePart) {
  for (const char* bad : {"", "a", "1,,2", "-1", "3-1", "1-", "2 ", "1.5", "99999", "0-99999"}) {
    try {
      parse_cpu_list(bad);
      ADD_FAILURE() << "'" << bad << "' parsed";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("cpu list"), std::string::npos) << e.what();
    }
  }
  try {
    parse_cpu_list("3-1");
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("3-1 runs backwards"), std::string::npos) << e.what();
  }
}

TEST(CpuAffinity, FormatsRunsAsRanges) {
  EXPECT_EQ(format_cpu_list({0, 1, 2, 3, 8}), "0-3,8");
  EXPECT_EQ(format_cpu_list({1, 3, 4}), "1,3-4");
  EXPECT_EQ(format_cpu_list({7}), "7");
  EXPECT_EQ(format_cpu_list({}), "");
  EXPECT_EQ(parse_cpu_list(format_cpu_list({0, 2, 3, 4, 9, 10})),
            (std::vector<int>{0, 2, 3, 4, 9, 10}));
}

TEST(CpuAffinity, ACpuOutsideTheAllowedSetIsRefusedWithTheAllowedList) {
  const std::vector<int> allowed = allowed_cpus();
  ASSERT_FALSE(allowed.empty());
  EXPECT_NO_THROW(check_allowed(allowed));
  const int outside = CPU_SETSIZE - 1;  // no test machine has 1024 CPUs
  ASSERT_NE(allowed.back(), outside);
  try {
    check_allowed({allowed.front(), outside});
    ADD_FAILURE() << "cpu " << outside << " accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(format_cpu_list(allowed)), std::string::npos) << e.what();
  }
}

TEST(CpuAffinity, ScopedPinPinsTheThreadAndItsNewThreadsThenRestores) {
  const std::vector<int> before = allowed_cpus();
  const int cpu = before.back();
  {
    const ScopedPin pin({cpu});
    EXPECT_EQ(allowed_cpus(), (std::vector<int>{cpu}));
    EXPECT_EQ(current_cpu(), cpu);
    int seen = -1;
    std::thread t([&] { seen = current_cpu(); });  // inherits the pinned set
    t.join();
    EXPECT_EQ(seen, cpu);
  }
  EXPECT_EQ(allowed_cpus(), before);
  {
    const ScopedPin none({});
    EXPECT_EQ(allowed_cpus(), before);
  }
}

}  // namespace
}  // namespace swapbench::affinity
