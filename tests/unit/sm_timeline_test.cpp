// The per-SM view of the block trace (harness/sm_timeline.h): synthetic launches with known
// block times on known SMs must give back each SM's gaps and speed and the halves' correlation.
#include "harness/sm_timeline.h"

#include <gtest/gtest.h>

#include <vector>

namespace swapbench {
namespace {

using trace::Event;

// One block of `grid` on `sm`: entry, release and one warp end at the given microseconds.
void block(std::vector<trace::Record>& out, uint64_t grid, uint32_t sm, double entry,
           double release, double end) {
  auto rec = [&](double t_us, Event e) {
    out.push_back({.t_ns = 5'000'000 + uint64_t(t_us * 1000),
                   .grid = grid,
                   .sm = sm,
                   .block = sm,  // one block per SM per launch, as the coalesced kernels run
                   .warp = 0,
                   .event = static_cast<uint32_t>(e)});
  };
  rec(entry, Event::wait_begin);
  rec(release, Event::wait_end);
  rec(end, Event::warp_end);
}

// Launch 7 over three SMs: SM 0 works 10 us, SM 1 20, SM 2 15 (the median): speeds 1.5, 0.75, 1.
std::vector<trace::Record> first_launch() {
  std::vector<trace::Record> r;
  block(r, 7, 0, 0, 1, 11);
  block(r, 7, 1, 0, 1, 21);
  block(r, 7, 2, 0, 1, 16);
  return r;
}

// Then launch 8 with the same speeds. SM 0 waits 1 us between its blocks, SM 1 2 us, SM 2's second
// block enters before its first ends (co-resident: no gap).
std::vector<trace::Record> two_launches() {
  std::vector<trace::Record> r = first_launch();
  block(r, 8, 0, 12, 22, 32);
  block(r, 8, 1, 23, 24, 44);
  block(r, 8, 2, 15, 22, 37);
  return r;
}

TEST(SmTimeline, SpeedIsTheLaunchMedianOverTheBlocksWork) {
  const SmView v = sm_view(two_launches(), 3);
  ASSERT_EQ(v.rows.size(), 3u);
  EXPECT_EQ(v.timed_launches, 2);
  EXPECT_DOUBLE_EQ(v.rows[0].speed, 1.5);
  EXPECT_DOUBLE_EQ(v.rows[1].speed, 0.75);
  EXPECT_DOUBLE_EQ(v.rows[2].speed, 1.0);
  EXPECT_EQ(v.rows[1].timed, 2);
  EXPECT_EQ(v.rows[1].blocks, 2);
  EXPECT_DOUBLE_EQ(v.rows[1].busy_us, 21.0 + 21.0);
  // The same SMs are fast in both halves: r = 1.
  EXPECT_NEAR(v.speed_r, 1.0, 1e-12);
}

TEST(SmTimeline, GapsCountOnlyWhileTheSmHoldsNoBlock) {
  const SmView v = sm_view(two_launches(), 3);
  EXPECT_EQ(v.rows[0].gaps, 1);
  EXPECT_DOUBLE_EQ(v.rows[0].gap_mean_us, 1.0);
  EXPECT_EQ(v.rows[1].gaps, 1);
  EXPECT_DOUBLE_EQ(v.rows[1].gap_mean_us, 2.0);
  EXPECT_EQ(v.rows[2].gaps, 0);
  ASSERT_EQ(v.gaps_us.size(), 2u);
  EXPECT_DOUBLE_EQ(v.gaps_us[0], 1.0);
  EXPECT_DOUBLE_EQ(v.gaps_us[1], 2.0);
}

TEST(SmTimeline, SmallLaunchesAreNotTimedAndSpeedsThatSwapCorrelateNegatively) {
  // Fewer blocks than min_blocks: nothing is timed, gaps are still counted.
  const SmView small = sm_view(two_launches(), 4);
  EXPECT_EQ(small.timed_launches, 0);
  EXPECT_DOUBLE_EQ(small.rows[0].speed, 0.0);
  EXPECT_EQ(small.gaps_us.size(), 2u);
  // SM 0 fast then slow (1.5, 0.75), SM 1 slow then fast (0.75, 1.5), SM 2 the median in both:
  // r = -13/14 (speeds are ratios, so the swap is not a mirror image).
  std::vector<trace::Record> r = first_launch();
  block(r, 8, 0, 30, 31, 51);
  block(r, 8, 1, 30, 31, 41);
  block(r, 8, 2, 30, 31, 46);
  EXPECT_NEAR(sm_view(r, 3).speed_r, -13.0 / 14.0, 1e-12);
}

TEST(SmTimeline, FormatNamesTheSlowestSmAndPrintsTheTableOnlyWhenAsked) {
  const SmView v = sm_view(two_launches(), 3);
  const std::string brief = format_sm_view(v, false);
  EXPECT_NE(brief.find("min 0.75 (sm 1)"), std::string::npos) << brief;
  EXPECT_NE(brief.find("max 1.50 (sm 0)"), std::string::npos) << brief;
  EXPECT_NE(brief.find("2 gaps"), std::string::npos) << brief;
  EXPECT_EQ(brief.find("gap_mean"), std::string::npos) << brief;
  EXPECT_NE(format_sm_view(v, true).find("gap_mean"), std::string::npos);
}

TEST(SmTimeline, NoRecordsGiveAnEmptyView) {
  const SmView v = sm_view({});
  EXPECT_TRUE(v.rows.empty());
  EXPECT_EQ(v.timed_launches, 0);
  EXPECT_NE(format_sm_view(v, true).find("0 SMs"), std::string::npos);
}

}  // namespace
}  // namespace swapbench
