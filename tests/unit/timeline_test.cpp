// The block-trace summary (harness/timeline.h): records of three synthetic launches, with known
// times, must give back their launch order, spans and each launch's share of the step.
#include "harness/timeline.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace swapbench {
namespace {

using trace::Event;

trace::Record rec(uint64_t t_us, uint64_t grid, uint32_t block, Event e, uint32_t warp = 0) {
  return {.t_ns = 1'000'000 + t_us * 1000,
          .grid = grid,
          .sm = block,
          .block = block,
          .warp = warp,
          .event = static_cast<uint32_t>(e)};
}

// Grid 900 (2 blocks, end hook) runs 0..10 us; grid 300 starts under its tail at 8, is released
// at 12, its warps end at 15 and 19; grid 500 has no end hook and records only its wait at 20/21.
// The records arrive out of order, as atomics interleave them.
std::vector<trace::Record> three_launches() {
  return {rec(12, 300, 0, Event::wait_end),    rec(0, 900, 0, Event::start),
          rec(8, 300, 0, Event::start),        rec(1, 900, 1, Event::start),
          rec(2, 900, 0, Event::wait_end),     rec(3, 900, 1, Event::wait_end),
          rec(9, 900, 0, Event::warp_end, 0),  rec(10, 900, 1, Event::warp_end, 1),
          rec(19, 300, 0, Event::warp_end, 1), rec(15, 300, 0, Event::warp_end, 0),
          rec(13, 300, 0, Event::wait_end),    rec(20, 500, 0, Event::wait_begin),
          rec(21, 500, 0, Event::wait_end)};
}

TEST(Timeline, GridSpansFollowFirstRecordOrderAndTakeExtremes) {
  const auto spans = grid_spans(three_launches());
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(spans[0].grid, 900u);
  EXPECT_EQ(spans[1].grid, 300u);
  EXPECT_EQ(spans[2].grid, 500u);
  EXPECT_EQ(spans[0].blocks, 2);
  EXPECT_EQ(spans[0].warp_ends, 2);
  EXPECT_DOUBLE_EQ(spans[0].start_last, 1.0);
  EXPECT_DOUBLE_EQ(spans[0].release_first, 2.0);
  EXPECT_DOUBLE_EQ(spans[0].release_last, 3.0);
  EXPECT_DOUBLE_EQ(spans[0].end_first, 9.0);
  EXPECT_DOUBLE_EQ(spans[0].end_last, 10.0);
  EXPECT_DOUBLE_EQ(spans[1].start_first, 8.0);
  EXPECT_DOUBLE_EQ(spans[1].release_first, 12.0);
  EXPECT_DOUBLE_EQ(spans[1].end_first, 15.0);
  EXPECT_DOUBLE_EQ(spans[1].end_last, 19.0);
  EXPECT_EQ(spans[2].warp_ends, 0);  // no end hook: its last record stands in
  EXPECT_DOUBLE_EQ(spans[2].end_last, 21.0);
}

TEST(Timeline, ExposedTimesSumToTheStepAndLagCountsFromThePreviousEnd) {
  const auto rows = attribute(grid_spans(three_launches()),
                              {{"a.x", "a", 0, 1000}, {"b.y", "b", 0, 0}, {"c.z", "c", 1, 0}});
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_DOUBLE_EQ(rows[0].exposed_us, 10.0);
  EXPECT_DOUBLE_EQ(rows[1].exposed_us, 9.0);
  EXPECT_DOUBLE_EQ(rows[1].release_lag_us, 2.0);   // released at 12, predecessor ended at 10
  EXPECT_DOUBLE_EQ(rows[1].release_wave_us, 3.0);  // its other record at 13
  EXPECT_DOUBLE_EQ(rows[1].tail_us, 4.0);
  EXPECT_DOUBLE_EQ(rows[2].exposed_us, 2.0);
  EXPECT_DOUBLE_EQ(rows[0].exposed_us + rows[1].exposed_us + rows[2].exposed_us, 21.0);
  const auto sites = summarize_sites(rows);
  ASSERT_EQ(sites.size(), 3u);
  EXPECT_DOUBLE_EQ(sites[0].gbps(), 0.1);  // 1000 bytes in 10 us
  const std::string text = format_timeline(rows, 0);
  EXPECT_NE(text.find("b.y"), std::string::npos);
  EXPECT_EQ(text.find("c.z", text.find("layer 0")), std::string::npos);  // layer 1 not listed
}

// Block 0 is released at 2 and ready at 3.5, block 1 released at 3 and ready at 6; a ready
// record of a block with no release record (block 2) is left out of the mean.
TEST(Timeline, PrologueIsTheMeanPerBlockFromReleaseToReady) {
  auto recs = three_launches();
  recs.push_back(rec(6, 900, 1, Event::ready));
  recs.push_back({.t_ns = 1'003'500, .grid = 900, .sm = 0, .block = 0, .warp = 0,
                  .event = static_cast<uint32_t>(Event::ready)});
  recs.push_back(rec(7, 900, 2, Event::ready));
  const auto spans = grid_spans(recs);
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(spans[0].prologue_blocks, 2);
  EXPECT_DOUBLE_EQ(spans[0].prologue, 2.25);  // (1.5 + 3) / 2
  EXPECT_EQ(spans[1].prologue_blocks, 0);     // no ready hook
  EXPECT_DOUBLE_EQ(spans[1].prologue, 0.0);
  const auto rows = attribute(spans, {{"a.x", "a", 0, 0}, {"b.y", "b", 0, 0}, {"c.z", "c", 1, 0}});
  EXPECT_DOUBLE_EQ(summarize_sites(rows)[0].prologue_us, 2.25);
  const std::string text = format_timeline(rows, 0);
  EXPECT_NE(text.find("2.25"), std::string::npos);
}

TEST(Timeline, AttributeRefusesATraceWhoseGridCountDiffersFromTheLaunches) {
  EXPECT_THROW(attribute(grid_spans(three_launches()), {{"a.x", "a", 0, 0}}), std::runtime_error);
}

}  // namespace
}  // namespace swapbench
