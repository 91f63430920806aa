// Trends: per (model, plan, workload, graphs mode), median tok/s over the runs in time order
// (x: commits), with the interval as a band, baseline promotions and failed gates marked; then
// the graphs-on/off ratio per (model, plan, workload) over the same runs.
#include <map>
#include <tuple>

#include "reports/html.h"
#include "reports/pages.h"
#include "reports/svg.h"

namespace swapbench::report {
namespace {

bool promoted(const Site& site, const std::string& uuid) {
  for (const auto& [name, history] : site.promotions)
    for (const store::BaselinePromotion& p : history)
      if (p.run_uuid == uuid) return true;
  return false;
}

bool gate_failed(const Run& run) {
  for (const store::GateDecision& g : run.gates)
    if (g.verdict != "pass") return true;
  return false;
}

std::string commit_label(const store::RunInfo& r) {
  return (r.git_commit.empty() ? r.uuid : r.git_commit).substr(0, 8) + (r.git_dirty ? "+" : "");
}

using SeriesKey = std::tuple<std::string, std::string, std::string, bool>;  // model plan wl graphs

}  // namespace

std::string trends_page(const Site& site) {
  std::map<SeriesKey, std::vector<svg::Point>> series;
  std::map<std::tuple<std::string, std::string, std::string>, std::vector<svg::Point>> ratios;
  for (auto it = site.runs.rbegin(); it != site.runs.rend(); ++it) {  // oldest first
    const Run& run = *it;
    const bool prom = promoted(site, run.info.uuid), failed = gate_failed(run);
    for (const Trial& t : run.trials) {
      if (t.tps <= 0) continue;
      const std::string tip = "run " + run.short_id() + " · " + when(run.info.started_at) + " · " +
                              commit_label(run.info) + ": " + fixed(t.tps, 1) + " tok/s";
      series[{t.model, t.plan_label(), t.workload, t.graphs}].push_back(
          {commit_label(run.info), tip, t.tps, t.tps_lo, t.tps_hi, prom, failed});
      const Trial* off = t.graphs ? run.other_mode(t) : nullptr;
      if (off && off->tps > 0) {
        const double r = t.tps / off->tps;
        ratios[{t.model, t.plan_label(), t.workload}].push_back(
            {commit_label(run.info), "run " + run.short_id() + ": " + fixed(r, 2) + "×", r, 0, 0,
             prom, failed});
      }
    }
  }
  std::string body =
      "<h1>Trends</h1><p class=\"meta\">Median tok/s of each (model, plan, "
      "workload, graphs mode) over the runs, oldest left; band: the interval of "
      "the median; <span class=\"pos\">◆</span> a baseline promotion; "
      "<span class=\"neg\">✕</span> a failed gate.</p>";
  if (series.empty()) body += "<p>No measured trials yet.</p>";
  std::string rows;
  int n = 0;
  std::string charts;
  for (const auto& [key, points] : series) {
    const auto& [model, plan, workload, graphs] = key;
    const std::string id = "s" + std::to_string(n++);
    const std::string title =
        model + " · " + plan + " · " + workload + " · graphs " + (graphs ? "on" : "off");
    const double last = points.back().value;
    const double change = points.size() > 1 ? last / points[points.size() - 2].value - 1 : 0;
    rows += "<tr><td><a href=\"#" + id + "\">" + esc(plan) + "</a></td><td>" + esc(model) +
            "</td><td>" + esc(workload) + "</td><td>" + (graphs ? "on" : "off") + "</td>" +
            td_num(double(points.size()), std::to_string(points.size())) +
            td_num(last, fixed(last, 1)) +
            (points.size() > 1 ? td_num(change, percent_change(change), change >= 0 ? "pos" : "neg")
                               : "<td class=\"num\" data-v=\"0\">–</td>") +
            "</tr>\n";
    charts += "<section class=\"trend\" id=\"" + id + "\"><h2 class=\"mono\">" + esc(title) +
              "</h2>" + svg::trend_chart(points, "tok/s") + "</section>\n";
  }
  body += table("series",
                th("plan") + th("model") + th("workload") + th("graphs") + th("runs", true) +
                    th("latest tok/s", true) + th("vs previous run", true),
                rows);
  body += charts;
  body += "<h2>CUDA graphs on / off ratio</h2>";
  if (ratios.empty())
    body += "<p class=\"note\">No run measured a plan with graphs both on and off.</p>";
  for (const auto& [key, points] : ratios) {
    const auto& [model, plan, workload] = key;
    body += "<section class=\"trend ratio\"><h2 class=\"mono\">" +
            esc(model + " · " + plan + " · " + workload) + " · on/off</h2>" +
            svg::trend_chart(points, "graphs on/off ratio") + "</section>\n";
  }
  return page("Trends", body);
}

}  // namespace swapbench::report
