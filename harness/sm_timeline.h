// The block trace (kernels/common/block_trace.h) of one step seen per SM (`swapbench timeline
// --per-sm`): how long each SM sat empty between one block and the next, and how fast its blocks
// worked against the other blocks of their launch. On the H200 blocks with the same work took
// 19-27 us in one launch and an SM's speed repeated from layer to layer (docs/results.md), so a
// launch's tail is set by its slowest SMs: this view makes that measurable on any device.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/common/block_trace.h"

namespace swapbench {

// One block's records, in microseconds from the step's first record.
struct BlockSpan {
  uint64_t grid = 0;
  uint32_t sm = 0, block = 0;
  double entry = 0;    // its first record (start or wait_begin)
  double release = 0;  // its return from the grid wait (valid when has_release)
  double end = 0;      // its last warp end, else its last record
  bool has_release = false, has_end = false;
};
std::vector<BlockSpan> block_spans(const std::vector<trace::Record>& records);

struct SmRow {
  uint32_t sm = 0;
  int blocks = 0;          // blocks it ran in the step
  double busy_us = 0;      // sum over them of entry to end
  int gaps = 0;            // times it held no block between two of the step's blocks
  double gap_mean_us = 0;  // mean length of those gaps (a block's end to the next one's entry)
  int timed = 0;           // its blocks in timed launches (below)
  double speed = 0;        // mean over them of launch median work / block work; 0: none timed
};

// Speed: a block's work is its release to its last warp end; a launch is timed when at least
// `min_blocks` of its blocks have both records (so one-block-per-head attention and the small
// epilogue kernels stay out). speed_r is the correlation across SMs of each SM's speed in the
// first half of the timed launches with that in the second half (0 when there are fewer than
// two launches or three SMs): near 1, the same SMs are slow all step long.
struct SmView {
  std::vector<SmRow> rows;  // by SM number
  int min_blocks = 0;
  int timed_launches = 0;
  double speed_r = 0;
  std::vector<double> gaps_us;  // every gap, sorted
};
SmView sm_view(const std::vector<trace::Record>& records, int min_blocks = 32);

// The printed view: the speed spread, the slowest and fastest SMs, the gaps, then (with
// `table`) one line per SM.
std::string format_sm_view(const SmView& v, bool table);

}  // namespace swapbench
