// A run: provenance, a bar chart of median tok/s with interval whiskers, the trials table
// (change against the reference plan, equality badge, status, health, per-slot breakdown), the
// graphs-on/off ratios and the fastest plan that stays bitwise.
#include <cstdio>
#include <set>

#include "harness/device_info.h"
#include "reports/html.h"
#include "reports/pages.h"
#include "reports/svg.h"

namespace swapbench::report {
namespace {

std::string provenance(const Run& run) {
  const store::RunInfo& r = run.info;
  auto row = [](const std::string& k, const std::string& v_html) {
    return "<tr><th>" + esc(k) + "</th><td>" + v_html + "</td></tr>";
  };
  std::string s = "<table class=\"provenance\">";
  s += row("run", "<span class=\"mono\">" + esc(r.uuid) + "</span>");
  s += row("started / finished", esc(r.started_at) + " / " + esc(r.finished_at));
  s += row("status", esc(r.status)) + row("tag", esc(r.tag)) + row("commit", commit_html(r));
  s += row("device", esc(device_label(r)) + (r.driver.empty() ? "" : ", driver " + esc(r.driver)) +
                         (r.cuda_runtime.empty() ? "" : ", CUDA " + esc(r.cuda_runtime)) +
                         (r.gpu_sm.empty() ? "" : ", " + esc(r.gpu_sm)));
  s += row("host / backend", esc(r.host) + " / " + esc(r.backend));
  if (!r.clocks.empty()) s += row("clocks", esc(r.clocks));
  if (r.launch_us > 0) {  // graphs-off times depend on it (baselines/SCHEMA.md)
    char buf[96];
    std::snprintf(buf, sizeof buf, "%.2f us eager, %.2f us graph node", r.launch_us,
                  r.graph_node_us);
    std::string text = buf;
    if (r.chain_node_us > 0) {  // schema 4: no step of dependent launches gains more from graphs
      const double ceiling =
          graphs_ratio_ceiling({.launch_us = r.launch_us, .chain_node_us = r.chain_node_us});
      std::snprintf(buf, sizeof buf, ", %.2f us dependent node (graphs on/off ceiling %.2f)",
                    r.chain_node_us, ceiling);
      text += buf;
    }
    s += row("host launch", esc(text));
  }
  s += row("model", esc(run.model_description));
  s += row("command", "<code>" + esc(r.command_line) + "</code>");
  s += row("tool", esc(r.tool_version));
  return s + "</table>";
}

std::string health_cell(const Trial& t) {
  if (!t.health_sampled)
    return "<td class=\"health note\" title=\"no host-health sampling (CPU backend)\">–</td>";
  if (t.healthy)
    return "<td class=\"health\">" + std::string("<span class=\"badge b-good\">healthy</span>") +
           "</td>";
  std::string ev;
  for (const std::string& e : t.evidence) ev += (ev.empty() ? "" : "; ") + e;
  return "<td class=\"health\"><span class=\"badge b-warn\" title=\"" + esc(ev) +
         "\">unhealthy</span> <span class=\"note\">" + esc(ev) + "</span></td>";
}

std::string breakdown(const Trial& t) {
  std::vector<svg::Segment> segs;
  for (const SlotTime& s : t.slots) segs.push_back({s.slot + ": " + s.variant, s.slot, s.ms});
  if (segs.empty()) return "<td class=\"note\">not profiled</td>";
  return "<td>" + svg::stacked_bar(segs, 220) + "</td>";
}

std::string trial_rows(const Run& run, const Trial* best) {
  std::string rows;
  for (const Trial& t : run.trials) {
    const Trial* ref = run.reference_for(t);
    std::string change = "<td class=\"num\" data-v=\"0\">–</td>";
    if (ref && ref != &t && ref->tps > 0 && t.tps > 0) {
      const double c = t.tps / ref->tps - 1;
      change = td_num(c, percent_change(c), c >= 0 ? "change pos" : "change neg");
    } else if (ref == &t) {
      change = "<td class=\"num note\" data-v=\"0\">reference</td>";
    }
    std::string eq = equality_badge(t.equality);
    if (has_divergence(t)) eq = "<a href=\"" + divergence_file(t.id) + "\">" + eq + "</a>";
    const std::string interval =
        t.tps_hi > 0 ? fixed(t.tps_lo, 1) + " – " + fixed(t.tps_hi, 1) : "–";
    rows +=
        "<tr data-key=\"" + esc(t.key) + "\" data-trial=\"" + std::to_string(t.id) + "\"" +
        (&t == best ? " class=\"best\"" : "") + "><td class=\"mono plan\">" + esc(t.plan_label()) +
        (&t == best ? " <span class=\"badge b-good\">fastest bitwise</span>" : "") + "</td><td>" +
        esc(t.workload) + "</td><td>" + t.mode() + "</td>" + td_num(t.tps, fixed(t.tps, 1), "tps") +
        "<td class=\"num interval\">" + interval + "</td>" + change +
        (t.roofline > 0 ? td_num(t.roofline, fixed(t.roofline, 1) + "%", "roofline")
                        : "<td class=\"num roofline note\" data-v=\"0\">–</td>") +
        "<td class=\"equality\">" +
        eq + "</td><td class=\"status\">" + status_badge(t.status) +
        (t.error.empty() ? "" : " <span class=\"note\">" + esc(t.error) + "</span>") + "</td>" +
        health_cell(t) + "<td class=\"cpus mono\">" + (t.cpus.empty() ? "–" : esc(t.cpus)) +
        "</td>" + td_num(double(t.n_samples), std::to_string(t.n_samples)) + breakdown(t) +
        "</tr>\n";
  }
  return rows;
}

std::string graphs_ratios(const Run& run) {
  std::string rows;
  for (const Trial& t : run.trials) {
    if (!t.graphs) continue;
    const Trial* off = run.other_mode(t);
    if (!off || off->tps <= 0 || t.tps <= 0) continue;
    const double ratio = t.tps / off->tps;
    rows += "<tr><td class=\"mono\">" + esc(t.plan_label()) + "</td><td>" + esc(t.workload) +
            "</td>" + td_num(t.tps, fixed(t.tps, 1)) + td_num(off->tps, fixed(off->tps, 1)) +
            td_num(ratio, fixed(ratio, 2) + "×", "ratio") + "</tr>\n";
  }
  if (rows.empty())
    return "<p class=\"note\">No plan ran with graphs both on and off (the CPU backend runs "
           "graphs off only).</p>";
  return table("graphs",
               th("plan") + th("workload") + th("graphs on tok/s", true) +
                   th("graphs off tok/s", true) + th("on / off", true),
               rows);
}

std::string slot_legend(const Run& run) {
  std::set<std::string> slots;
  for (const Trial& t : run.trials)
    for (const SlotTime& s : t.slots) slots.insert(s.slot);
  if (slots.empty()) return "";
  std::string s = "<p class=\"legend note\">Per-slot breakdown: ";
  for (const std::string& slot : slots)
    s += "<span><svg class=\"sw\" width=\"10\" height=\"10\"><rect width=\"10\" height=\"10\" "
         "fill=\"" +
         svg::colour(slot) + "\"/></svg><a href=\"" + slot_file(slot) + "\">" + esc(slot) +
         "</a></span>";
  return s + " (hover a segment for its time)</p>";
}

}  // namespace

std::string run_page(const Site& site, const Run& run) {
  (void)site;
  const Trial* best = run.fastest_bitwise();
  std::string body = "<h1>Run " + esc(run.short_id()) +
                     (run.info.tag.empty() ? "" : " · " + esc(run.info.tag)) +
                     "</h1><p class=\"meta\">" + esc(when(run.info.started_at)) + " · " +
                     esc(device_label(run.info)) + " · " + std::to_string(run.trials.size()) +
                     " trials, " + std::to_string(run.failures()) + " not ok</p>";
  if (best)
    body += "<p class=\"best-plan\">Fastest plan that stays bitwise: <b class=\"mono\">" +
            esc(best->plan_label()) + "</b> on " + esc(best->workload) + ", graphs " +
            best->mode() + ": " + fixed(best->tps, 1) + " tok/s.</p>";
  for (const store::GateDecision& g : run.gates)
    body += "<p>Gate against <b>" + esc(g.baseline) + "</b> (" + esc(when(g.decided_at)) +
            "): <a href=\"" + compare_file(g.id) + "\">" + verdict_badge(g.verdict) +
            " see the comparison</a></p>";
  std::vector<svg::Bar> bars;
  for (const Trial& t : run.trials)
    bars.push_back({t.plan_label() + " | " + t.workload + " | graphs " + t.mode(), t.tps, t.tps_lo,
                    t.tps_hi, &t == best, t.status != "ok"});
  body +=
      "<h2>Median tok/s</h2><p class=\"note\">Bars: median tokens per second; whiskers: the "
      "confidence interval of the median; green: the fastest bitwise plan; grey: not ok.</p>" +
      svg::bar_chart(bars, "tok/s");
  body += "<h2>Trials</h2>" + slot_legend(run) +
          table("trials",
                th("plan") + th("workload") + th("graphs") + th("median tok/s", true) +
                    th("interval") + th("vs reference", true) + th("roofline", true) +
                    th("equality") + th("status") +
                    th("health") + th("cpus") + th("samples", true) + th("per-slot time"),
                trial_rows(run, best));
  body += "<h2>CUDA graphs on / off</h2>" + graphs_ratios(run);
  body += "<h2>Provenance</h2>" + provenance(run);
  return page("Run " + run.short_id(), body);
}

}  // namespace swapbench::report
