// Block-trace records -> per-launch rows (timeline.h).
#include "harness/timeline.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <stdexcept>

namespace swapbench {

std::vector<GridSpan> grid_spans(const std::vector<trace::Record>& records) {
  if (records.empty()) return {};
  uint64_t t0 = records.front().t_ns;
  for (const trace::Record& r : records) t0 = std::min(t0, r.t_ns);
  const auto us = [t0](uint64_t t) { return double(t - t0) * 1e-3; };
  struct Acc {
    GridSpan s;
    std::vector<uint32_t> blocks;
    std::map<uint32_t, double> released, ready;  // per block
    uint64_t first = UINT64_MAX;
    bool any_start = false, any_release = false, any_end = false;
  };
  std::map<uint64_t, Acc> by_grid;
  for (const trace::Record& r : records) {
    Acc& a = by_grid[r.grid];
    a.s.grid = r.grid;
    a.first = std::min(a.first, r.t_ns);
    const double t = us(r.t_ns);
    const auto widen = [t](bool& any, double& lo, double& hi) {
      lo = any ? std::min(lo, t) : t;
      hi = any ? std::max(hi, t) : t;
      any = true;
    };
    switch (static_cast<trace::Event>(r.event)) {
      case trace::Event::start:
      case trace::Event::wait_begin:
        a.blocks.push_back(r.block);
        widen(a.any_start, a.s.start_first, a.s.start_last);
        break;
      case trace::Event::wait_end:
        widen(a.any_release, a.s.release_first, a.s.release_last);
        a.released[r.block] = t;
        break;
      case trace::Event::ready:
        a.ready[r.block] = t;
        break;
      case trace::Event::warp_end:
        ++a.s.warp_ends;
        widen(a.any_end, a.s.end_first, a.s.end_last);
        break;
    }
  }
  std::vector<std::pair<uint64_t, GridSpan>> order;
  for (auto& [grid, a] : by_grid) {
    std::sort(a.blocks.begin(), a.blocks.end());
    a.s.blocks = int(std::unique(a.blocks.begin(), a.blocks.end()) - a.blocks.begin());
    if (!a.any_end) {  // no end hook: the last thing the grid recorded
      a.s.end_first = a.any_release ? a.s.release_first : a.s.start_first;
      a.s.end_last = std::max(a.s.start_last, a.any_release ? a.s.release_last : 0.0);
    }
    if (!a.any_release) a.s.release_first = a.s.release_last = a.s.start_first;
    double sum = 0;
    for (const auto& [block, t] : a.ready) {
      const auto rel = a.released.find(block);
      if (rel == a.released.end()) continue;
      sum += t - rel->second;
      ++a.s.prologue_blocks;
    }
    if (a.s.prologue_blocks > 0) a.s.prologue = sum / a.s.prologue_blocks;
    order.emplace_back(a.first, a.s);
  }
  std::sort(order.begin(), order.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<GridSpan> out;
  for (auto& o : order) out.push_back(o.second);
  return out;
}

std::vector<LaunchRow> attribute(const std::vector<GridSpan>& spans,
                                 const std::vector<LaunchLabel>& labels) {
  if (spans.size() != labels.size())
    throw std::runtime_error("trace has " + std::to_string(spans.size()) + " grids, the step " +
                             std::to_string(labels.size()) + " launches");
  std::vector<LaunchRow> rows;
  double prev_end = 0;
  for (size_t i = 0; i < spans.size(); ++i) {
    LaunchRow r;
    r.label = labels[i];
    r.span = spans[i];
    r.exposed_us = spans[i].end_last - prev_end;
    r.release_lag_us = spans[i].release_first - prev_end;
    r.release_wave_us = spans[i].release_last - prev_end;
    r.tail_us = spans[i].end_last - spans[i].end_first;
    prev_end = std::max(prev_end, spans[i].end_last);
    rows.push_back(r);
  }
  return rows;
}

std::vector<SiteSummary> summarize_sites(const std::vector<LaunchRow>& rows) {
  std::vector<SiteSummary> out;
  for (const LaunchRow& r : rows) {
    auto it = std::find_if(out.begin(), out.end(), [&](const SiteSummary& s) {
      return s.name == r.label.name && s.site == r.label.site;
    });
    if (it == out.end()) {
      out.push_back({.name = r.label.name, .site = r.label.site});
      it = out.end() - 1;
    }
    ++it->calls;
    it->exposed_us += r.exposed_us;
    it->release_lag_us += r.release_lag_us;
    it->release_wave_us += r.release_wave_us;
    it->tail_us += r.tail_us;
    it->prologue_us += r.span.prologue;
    it->bytes += r.label.bytes;
  }
  for (SiteSummary& s : out) {
    s.exposed_us /= s.calls;
    s.release_lag_us /= s.calls;
    s.release_wave_us /= s.calls;
    s.tail_us /= s.calls;
    s.prologue_us /= s.calls;
    s.bytes /= s.calls;
  }
  return out;
}

std::string format_timeline(const std::vector<LaunchRow>& rows, int32_t layer) {
  std::string out;
  char line[256];
  double total = 0;
  for (const LaunchRow& r : rows) total += r.exposed_us;
  std::snprintf(line, sizeof line, "step: %zu launches, %.1f us from first block to last end\n\n",
                rows.size(), total);
  out += line;
  out +=
      "per site, mean per call (exposed: its share of the step; lag, wave: its first and last\n"
      "block's release from the grid wait after the previous launch's last warp end; tail: its\n"
      "first to last warp end; prologue: a block's release to its inputs staged, '-' without\n"
      "that hook)\n";
  std::snprintf(line, sizeof line, "%-32s %-12s %5s %9s %8s %8s %8s %8s %8s\n", "slot:variant",
                "site", "calls", "exposed", "lag", "wave", "tail", "prologue", "GB/s");
  out += line;
  for (const SiteSummary& s : summarize_sites(rows)) {
    char pro[16] = "-";
    if (s.prologue_us > 0) std::snprintf(pro, sizeof pro, "%.2f", s.prologue_us);
    std::snprintf(line, sizeof line, "%-32s %-12s %5d %9.2f %8.2f %8.2f %8.2f %8s %8.0f\n",
                  s.name.c_str(), s.site.c_str(), s.calls, s.exposed_us, s.release_lag_us,
                  s.release_wave_us, s.tail_us, pro, s.gbps());
    out += line;
  }
  std::snprintf(
      line, sizeof line,
      "\nlayer %d, us from the step's first record (start / release / end: first..last)\n", layer);
  out += line;
  std::snprintf(line, sizeof line, "%-32s %-12s %6s %15s %15s %15s %8s\n", "slot:variant", "site",
                "blocks", "start", "release", "end", "exposed");
  out += line;
  for (const LaunchRow& r : rows) {
    if (r.label.layer != layer) continue;
    const GridSpan& g = r.span;
    char a[32], b[32], c[32];
    std::snprintf(a, sizeof a, "%.1f..%.1f", g.start_first, g.start_last);
    std::snprintf(b, sizeof b, "%.1f..%.1f", g.release_first, g.release_last);
    std::snprintf(c, sizeof c, "%.1f..%.1f%s", g.end_first, g.end_last, g.warp_ends ? "" : "*");
    std::snprintf(line, sizeof line, "%-32s %-12s %6d %15s %15s %15s %8.2f\n", r.label.name.c_str(),
                  r.label.site.c_str(), g.blocks, a, b, c, r.exposed_us);
    out += line;
  }
  out += "(* no end hook in that kernel: its last recorded event)\n";
  return out;
}

}  // namespace swapbench
