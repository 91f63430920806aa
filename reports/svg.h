// Inline SVG charts: no script, no external resource; every label is escaped and also given as
// a <title> so hovering shows it in full.
#pragma once

#include <string>
#include <vector>

namespace swapbench::report::svg {

// One horizontal bar with its interval whisker.
struct Bar {
  std::string label;
  double value = 0, lo = 0, hi = 0;  // lo/hi 0: no whisker
  bool highlight = false;            // drawn in the highlight colour
  bool failed = false;               // drawn grey (not ok)
};
// Bars of one quantity (e.g. median tok/s), a whisker per interval, value printed at the end.
std::string bar_chart(const std::vector<Bar>& bars, const std::string& unit);

// One piece of a per-slot time breakdown.
struct Segment {
  std::string label;       // "matvec.q4_1: cpu_ref"
  std::string colour_key;  // segments with the same key share a colour (the slot name)
  double value = 0;        // ms
};
// A single stacked bar of the given pixel width; segments in order.
std::string stacked_bar(const std::vector<Segment>& segments, int width);
// The colour a colour_key gets (stable across pages), "#rrggbb".
std::string colour(const std::string& key);

// One point of a trend: x labels are commits, ordered by run time.
struct Point {
  std::string x_label;  // short commit
  std::string tip;      // hover text: run, date, value
  double value = 0, lo = 0, hi = 0;
  bool promoted = false;     // a baseline promotion of this run
  bool gate_failed = false;  // a failed gate on this run
};
// A line with its interval band, promotions as green diamonds, failed gates as red crosses.
std::string trend_chart(const std::vector<Point>& points, const std::string& unit);

}  // namespace swapbench::report::svg
