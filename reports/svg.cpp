// The charts. Sizes are fixed in pixels (the pages are read on a desktop); scales start at zero
// for bars (lengths compare) and at the data's range for trends (changes show).
#include "reports/svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "reports/html.h"

namespace swapbench::report::svg {
namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string short_label(const std::string& s, size_t n) {
  return s.size() <= n ? s : s.substr(0, n - 1) + "…";
}

std::string open_svg(int w, int h, const std::string& label) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"" + std::to_string(w) +
         "\" height=\"" + std::to_string(h) + "\" viewBox=\"0 0 " + std::to_string(w) + " " +
         std::to_string(h) + "\" aria-label=\"" + esc(label) + "\">";
}

// An axis tick: whole numbers on wide ranges, more decimals on narrow ones.
std::string tick(double v, double range) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", range >= 20 ? 0 : range >= 2 ? 1 : 3, v);
  return buf;
}

// A "nice" upper bound for an axis: 1, 2 or 5 times a power of ten.
double nice_ceiling(double v) {
  if (v <= 0) return 1;
  const double p = std::pow(10.0, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * p >= v) return m * p;
  return 10 * p;
}

}  // namespace

std::string colour(const std::string& key) {
  // Known slot families get distinct fixed colours, so a slot looks the same on every page;
  // other keys hash into the rest of the palette.
  static const std::pair<const char*, const char*> kFixed[] = {
      {"matvec_pair", "#f28e2b"}, {"matvec_residual", "#edc948"},
      {"matvec.q8_0", "#a0cbe8"}, {"matvec.f16", "#499894"},
      {"matvec.bf16", "#499894"}, {"matvec.f32", "#79706e"},
      {"matvec", "#4e79a7"},      {"attn", "#e15759"},
      {"rmsnorm", "#59a14f"},     {"rope", "#b07aa1"},
      {"swiglu", "#76b7b2"},      {"embed", "#9c755f"},
      {"argmax", "#bab0ac"},      {"moe", "#ff9da7"},
      {"gdn", "#86bcb6"}};
  for (const auto& [prefix, c] : kFixed)
    if (key.rfind(prefix, 0) == 0) return c;
  static const char* kPalette[] = {"#d37295", "#8cd17d", "#499894", "#a0cbe8",
                                   "#ffbe7d", "#f1ce63", "#d4a6c8", "#79706e"};
  uint32_t h = 2166136261u;
  for (char c : key) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  return kPalette[h % 8];
}

std::string bar_chart(const std::vector<Bar>& bars, const std::string& unit) {
  const int label_w = 330, plot_w = 520, value_w = 110, row = 22, top = 8, axis = 24;
  const int w = label_w + plot_w + value_w;
  const int h = top + row * static_cast<int>(bars.size()) + axis;
  double max = 0;
  for (const Bar& b : bars) max = std::max({max, b.value, b.hi});
  max = nice_ceiling(max);
  auto x = [&](double v) { return label_w + plot_w * std::clamp(v / max, 0.0, 1.0); };
  std::string s = open_svg(w, h, "bar chart of " + unit);
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    const double y = top + row * static_cast<double>(i);
    const std::string fill = b.failed ? "#b8bec9" : b.highlight ? "#1f9d55" : "#4e79a7";
    s += "<g class=\"bar\"><title>" + esc(b.label) + ": " + num(b.value) + " " + esc(unit) +
         (b.hi > 0 ? " (interval " + num(b.lo) + " – " + num(b.hi) + ")" : "") + "</title>";
    s += "<text x=\"" + num(label_w - 6) + "\" y=\"" + num(y + 15) +
         "\" text-anchor=\"end\" font-size=\"12\" fill=\"#1d2330\">" +
         esc(short_label(b.label, 48)) + "</text>";
    s += "<rect x=\"" + num(label_w) + "\" y=\"" + num(y + 3) + "\" width=\"" +
         num(x(b.value) - label_w) + "\" height=\"16\" fill=\"" + fill + "\"/>";
    if (b.hi > 0 && b.lo > 0) {
      const double cy = y + 11;
      s += "<path d=\"M" + num(x(b.lo)) + " " + num(cy) + "H" + num(x(b.hi)) + "M" + num(x(b.lo)) +
           " " + num(cy - 5) + "V" + num(cy + 5) + "M" + num(x(b.hi)) + " " + num(cy - 5) + "V" +
           num(cy + 5) +
           "\" stroke=\"#1d2330\" stroke-width=\"1.5\" fill=\"none\" class=\"whisker\"/>";
    }
    s += "<text x=\"" + num(label_w + plot_w + 6) + "\" y=\"" + num(y + 15) +
         "\" font-size=\"12\" fill=\"#1d2330\">" + num(b.value) + "</text></g>";
  }
  const double base = top + row * static_cast<double>(bars.size());
  s += "<path d=\"M" + num(label_w) + " " + num(base) + "H" + num(label_w + plot_w) +
       "\" stroke=\"#8a93a6\"/>";
  for (int k = 0; k <= 4; ++k) {
    const double v = max * k / 4;
    s += "<text x=\"" + num(x(v)) + "\" y=\"" + num(base + 16) +
         "\" text-anchor=\"middle\" font-size=\"11\" fill=\"#5b6478\">" + tick(v, max) + "</text>";
  }
  s += "<text x=\"" + num(label_w + plot_w + 30) + "\" y=\"" + num(base + 16) +
       "\" font-size=\"11\" fill=\"#5b6478\">" + esc(unit) + "</text></svg>";
  return s;
}

std::string stacked_bar(const std::vector<Segment>& segments, int width) {
  double total = 0;
  for (const Segment& g : segments) total += std::max(0.0, g.value);
  std::string s = open_svg(width, 14, "per-slot time breakdown");
  if (total <= 0) return s + "</svg>";
  double x = 0;
  for (const Segment& g : segments) {
    const double w = width * std::max(0.0, g.value) / total;
    char pct[32];
    std::snprintf(pct, sizeof pct, "%.1f%%", 100.0 * g.value / total);
    s += "<rect class=\"seg\" x=\"" + num(x) + "\" y=\"0\" width=\"" + num(w) +
         "\" height=\"14\" fill=\"" + colour(g.colour_key) + "\"><title>" + esc(g.label) + ": " +
         fixed(g.value, 4) + " ms (" + pct + ")</title></rect>";
    x += w;
  }
  return s + "</svg>";
}

std::string trend_chart(const std::vector<Point>& points, const std::string& unit) {
  const int left = 64, right = 20, top = 14, plot_h = 180, bottom = 44;
  const int step = 70;
  const int w =
      std::max(440, left + right + std::max(1, static_cast<int>(points.size()) - 1) * step + 40);
  const int h = top + plot_h + bottom;
  double lo = 1e300, hi = 0;
  for (const Point& p : points) {
    lo = std::min({lo, p.value, p.lo > 0 ? p.lo : p.value});
    hi = std::max({hi, p.value, p.hi});
  }
  if (points.empty()) lo = 0, hi = 1;
  const double pad = std::max((hi - lo) * 0.15, hi * 0.02 + 1e-9);
  lo = std::max(0.0, lo - pad), hi += pad;
  auto X = [&](size_t i) { return left + 20 + step * static_cast<double>(i); };
  auto Y = [&](double v) { return top + plot_h * (1 - (v - lo) / (hi - lo)); };
  std::string s = open_svg(w, h, "trend of " + unit);
  for (int k = 0; k <= 4; ++k) {
    const double v = lo + (hi - lo) * k / 4;
    s += "<path d=\"M" + num(left) + " " + num(Y(v)) + "H" + num(w - right) +
         "\" stroke=\"#e3e6ec\"/><text x=\"" + num(left - 6) + "\" y=\"" + num(Y(v) + 4) +
         "\" text-anchor=\"end\" font-size=\"11\" fill=\"#5b6478\">" + tick(v, hi - lo) + "</text>";
  }
  std::string band_top, band_bottom, line;
  for (size_t i = 0; i < points.size(); ++i) {
    const Point& p = points[i];
    band_top += (i ? "L" : "M") + num(X(i)) + " " + num(Y(p.hi > 0 ? p.hi : p.value));
    band_bottom = "L" + num(X(i)) + " " + num(Y(p.lo > 0 ? p.lo : p.value)) + band_bottom;
    line += (i ? "L" : "M") + num(X(i)) + " " + num(Y(p.value));
  }
  if (!points.empty()) {
    s += "<path class=\"band\" d=\"" + band_top + band_bottom + "Z\" fill=\"#4e79a7\" " +
         "fill-opacity=\"0.18\" stroke=\"none\"/>";
    s += "<path class=\"line\" d=\"" + line + "\" fill=\"none\" stroke=\"#4e79a7\" " +
         "stroke-width=\"2\"/>";
  }
  for (size_t i = 0; i < points.size(); ++i) {
    const Point& p = points[i];
    const double x = X(i), y = Y(p.value);
    s += "<g class=\"pt\"><title>" + esc(p.tip) + "</title><circle cx=\"" + num(x) + "\" cy=\"" +
         num(y) + "\" r=\"3.5\" fill=\"#4e79a7\"/></g>";
    if (p.promoted)
      s += "<path class=\"promotion\" d=\"M" + num(x) + " " + num(y - 13) + "l6 6l-6 6l-6 -6z\" " +
           "fill=\"#1f9d55\"><title>baseline promotion</title></path>";
    if (p.gate_failed)
      s += "<path class=\"gate-fail\" d=\"M" + num(x - 5) + " " + num(y + 7) +
           "l10 10m0 -10l-10 10\" " +
           "stroke=\"#d0342c\" stroke-width=\"2.5\"><title>gate failed</title></path>";
    s += "<text x=\"" + num(x) + "\" y=\"" + num(top + plot_h + 16) +
         "\" text-anchor=\"middle\" font-size=\"11\" fill=\"#5b6478\" class=\"mono\">" +
         esc(short_label(p.x_label, 10)) + "</text>";
  }
  s += "<text x=\"" + num(left) + "\" y=\"" + num(h - 6) + "\" font-size=\"11\" fill=\"#5b6478\">" +
       esc(unit) + " by commit, oldest run left</text></svg>";
  return s;
}

}  // namespace swapbench::report::svg
