// Block-trace records -> per-SM gaps and speed (sm_timeline.h).
#include "harness/sm_timeline.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <utility>

#include "harness/stats.h"

namespace swapbench {
namespace {

using stats::median;
using stats::quantile;

// Pearson correlation of paired samples; 0 when either side does not vary.
double correlation(const std::vector<std::pair<double, double>>& xy) {
  if (xy.size() < 3) return 0;
  double mx = 0, my = 0;
  for (auto [x, y] : xy) mx += x, my += y;
  mx /= double(xy.size());
  my /= double(xy.size());
  double sxy = 0, sxx = 0, syy = 0;
  for (auto [x, y] : xy) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) * (x - mx);
    syy += (y - my) * (y - my);
  }
  return sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : 0;
}

}  // namespace

std::vector<BlockSpan> block_spans(const std::vector<trace::Record>& records) {
  if (records.empty()) return {};
  uint64_t t0 = records.front().t_ns;
  for (const trace::Record& r : records) t0 = std::min(t0, r.t_ns);
  struct Acc {
    BlockSpan s;
    bool any = false;
    double last = 0;
  };
  std::map<std::pair<uint64_t, uint32_t>, Acc> by_block;  // (grid, block)
  for (const trace::Record& r : records) {
    Acc& a = by_block[{r.grid, r.block}];
    const double t = double(r.t_ns - t0) * 1e-3;
    a.s.grid = r.grid;
    a.s.block = r.block;
    a.s.sm = r.sm;
    a.s.entry = a.any ? std::min(a.s.entry, t) : t;
    a.last = a.any ? std::max(a.last, t) : t;
    a.any = true;
    switch (static_cast<trace::Event>(r.event)) {
      case trace::Event::wait_end:  // a block records one; keep the earliest
        a.s.release = a.s.has_release ? std::min(a.s.release, t) : t;
        a.s.has_release = true;
        break;
      case trace::Event::warp_end:
        a.s.end = a.s.has_end ? std::max(a.s.end, t) : t;
        a.s.has_end = true;
        break;
      default:
        break;
    }
  }
  std::vector<BlockSpan> out;
  for (auto& [key, a] : by_block) {
    if (!a.s.has_end) a.s.end = a.last;
    out.push_back(a.s);
  }
  return out;
}

SmView sm_view(const std::vector<trace::Record>& records, int min_blocks) {
  const std::vector<BlockSpan> blocks = block_spans(records);
  SmView v;
  v.min_blocks = min_blocks;
  std::map<uint32_t, SmRow> rows;
  std::map<uint32_t, std::vector<const BlockSpan*>> on_sm;
  for (const BlockSpan& b : blocks) {
    SmRow& r = rows[b.sm];
    r.sm = b.sm;
    ++r.blocks;
    r.busy_us += b.end - b.entry;
    on_sm[b.sm].push_back(&b);
  }
  // Gaps: an SM is empty from the latest end of the blocks it held so far to the next entry.
  for (auto& [sm, list] : on_sm) {
    std::sort(list.begin(), list.end(),
              [](const BlockSpan* a, const BlockSpan* b) { return a->entry < b->entry; });
    SmRow& r = rows[sm];
    double held_until = list.front()->end, sum = 0;
    for (size_t i = 1; i < list.size(); ++i) {
      if (list[i]->entry > held_until) {
        const double gap = list[i]->entry - held_until;
        v.gaps_us.push_back(gap);
        sum += gap;
        ++r.gaps;
      }
      held_until = std::max(held_until, list[i]->end);
    }
    if (r.gaps > 0) r.gap_mean_us = sum / r.gaps;
  }
  std::sort(v.gaps_us.begin(), v.gaps_us.end());

  // Speed per block against its launch's median; launches in the order of their first entry.
  std::map<uint64_t, std::vector<const BlockSpan*>> by_grid;
  std::map<uint64_t, double> first_entry;
  for (const BlockSpan& b : blocks) {
    if (!first_entry.count(b.grid) || b.entry < first_entry[b.grid]) first_entry[b.grid] = b.entry;
    if (b.has_release && b.has_end && b.end > b.release) by_grid[b.grid].push_back(&b);
  }
  std::vector<std::pair<double, uint64_t>> timed;
  for (const auto& [grid, list] : by_grid)
    if (int(list.size()) >= min_blocks) timed.emplace_back(first_entry[grid], grid);
  std::sort(timed.begin(), timed.end());
  v.timed_launches = int(timed.size());
  std::map<uint32_t, double> half_sum[2];
  std::map<uint32_t, int> half_n[2];
  std::map<uint32_t, double> speed_sum;
  for (size_t i = 0; i < timed.size(); ++i) {
    const auto& list = by_grid[timed[i].second];
    std::vector<double> work;
    for (const BlockSpan* b : list) work.push_back(b->end - b->release);
    const double med = median(work);
    const int half = 2 * i < timed.size() ? 0 : 1;
    for (const BlockSpan* b : list) {
      const double s = med / (b->end - b->release);
      speed_sum[b->sm] += s;
      ++rows[b->sm].timed;
      half_sum[half][b->sm] += s;
      ++half_n[half][b->sm];
    }
  }
  std::vector<std::pair<double, double>> halves;
  for (auto& [sm, r] : rows) {
    if (r.timed > 0) r.speed = speed_sum[sm] / r.timed;
    if (half_n[0].count(sm) && half_n[1].count(sm))
      halves.emplace_back(half_sum[0][sm] / half_n[0][sm], half_sum[1][sm] / half_n[1][sm]);
  }
  if (v.timed_launches >= 2) v.speed_r = correlation(halves);
  for (auto& [sm, r] : rows) v.rows.push_back(r);
  return v;
}

std::string format_sm_view(const SmView& v, bool table) {
  std::string out;
  char line[256];
  int blocks = 0;
  std::vector<const SmRow*> timed;
  for (const SmRow& r : v.rows) {
    blocks += r.blocks;
    if (r.timed > 0) timed.push_back(&r);
  }
  std::snprintf(line, sizeof line,
                "per SM: %zu SMs, %d blocks. speed: the launch's median block work (release to "
                "last warp end)\nover the block's, mean over %d launches of >= %d timed blocks; "
                "> 1 is faster than the median\n",
                v.rows.size(), blocks, v.timed_launches, v.min_blocks);
  out += line;
  if (!timed.empty()) {
    std::sort(timed.begin(), timed.end(),
              [](const SmRow* a, const SmRow* b) { return a->speed < b->speed; });
    std::vector<double> s;
    for (const SmRow* r : timed) s.push_back(r->speed);
    std::snprintf(line, sizeof line,
                  "speed: min %.2f (sm %u), p10 %.2f, median %.2f, p90 %.2f, max %.2f (sm %u); "
                  "first vs second half of the launches: r = %.2f\n",
                  s.front(), timed.front()->sm, quantile(s, 0.1), quantile(s, 0.5),
                  quantile(s, 0.9), s.back(), timed.back()->sm, v.speed_r);
    out += line;
    const size_t k = std::min<size_t>(5, timed.size());
    std::string slow = "slowest:", fast = "fastest:";
    for (size_t i = 0; i < k; ++i) {
      std::snprintf(line, sizeof line, " sm %u %.2f", timed[i]->sm, timed[i]->speed);
      slow += line;
      std::snprintf(line, sizeof line, " sm %u %.2f", timed[timed.size() - 1 - i]->sm,
                    timed[timed.size() - 1 - i]->speed);
      fast += line;
    }
    out += slow + "\n" + fast + "\n";
  }
  if (!v.gaps_us.empty()) {
    std::snprintf(line, sizeof line,
                  "empty between blocks: %zu gaps, median %.2f us, p90 %.2f us, max %.2f us\n",
                  v.gaps_us.size(), quantile(v.gaps_us, 0.5), quantile(v.gaps_us, 0.9),
                  v.gaps_us.back());
    out += line;
  }
  if (table) {
    std::snprintf(line, sizeof line, "%5s %7s %10s %6s %9s %6s %7s\n", "sm", "blocks", "busy_us",
                  "gaps", "gap_mean", "timed", "speed");
    out += line;
    for (const SmRow& r : v.rows) {
      std::snprintf(line, sizeof line, "%5u %7d %10.1f %6d %9.2f %6d %7.3f\n", r.sm, r.blocks,
                    r.busy_us, r.gaps, r.gap_mean_us, r.timed, r.speed);
      out += line;
    }
  }
  return out;
}

}  // namespace swapbench
