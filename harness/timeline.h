// The block trace (kernels/common/block_trace.h) of one step, turned into one row per launch:
// when its blocks started, were released from their grid wait and ended, and how much of the
// step's critical path it holds (`swapbench timeline`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/common/block_trace.h"

namespace swapbench {

// One grid's records, in microseconds from the step's first record.
struct GridSpan {
  uint64_t grid = 0;
  int blocks = 0;            // blocks that recorded anything
  int warp_ends = 0;         // warp_end records (0: the kernel has no end hook)
  double start_first = 0;    // earliest block entry
  double start_last = 0;     // last block entry
  double release_first = 0;  // earliest return from the grid wait
  double release_last = 0;
  double end_first = 0;  // earliest warp end (or block record, without an end hook)
  double end_last = 0;   // last warp end (or block record)
  // Mean over the blocks that record both of the time from a block's release to its `ready`
  // (the prologue after the wait: norm, x staging); 0 when the kernel has no ready hook.
  double prologue = 0;
  int prologue_blocks = 0;
};

// Groups records by grid, ordered by each grid's earliest record: the launch order of a stream
// (PDL lets a grid start before its predecessor ends, never before its predecessor started).
std::vector<GridSpan> grid_spans(const std::vector<trace::Record>& records);

// What a launch was, from the step's list of calls.
struct LaunchLabel {
  std::string name;  // slot:variant, as the NVTX ranges: "ffn_in.q8_0:coalesced"
  std::string site;  // "ffn_in"
  int32_t layer = -1;
  double bytes = 0;  // the variant's declared bytes moved
};

struct LaunchRow {
  LaunchLabel label;
  GridSpan span;
  double exposed_us = 0;       // end_last - the previous launch's end_last: its share of the step
  double release_lag_us = 0;   // release_first - the previous launch's end_last
  double release_wave_us = 0;  // release_last - the previous launch's end_last: late blocks
  double tail_us = 0;          // end_last - end_first: how far its warps' ends spread
};

// Pairs spans with labels in order; throws std::runtime_error when the counts differ (a launch
// without a hook, or a trace that overflowed its buffer).
std::vector<LaunchRow> attribute(const std::vector<GridSpan>& spans,
                                 const std::vector<LaunchLabel>& labels);

// Per site (layer calls of one site pooled): mean per call.
struct SiteSummary {
  std::string name, site;
  int calls = 0;
  double exposed_us = 0, release_lag_us = 0, release_wave_us = 0, tail_us = 0, prologue_us = 0;
  double bytes = 0;  // per call
  double gbps() const { return exposed_us > 0 ? bytes / (exposed_us * 1e3) : 0; }
};
std::vector<SiteSummary> summarize_sites(const std::vector<LaunchRow>& rows);

// The printed report: totals by site, then every launch of `layer`.
std::string format_timeline(const std::vector<LaunchRow>& rows, int32_t layer);

}  // namespace swapbench
