// Gates: the list of gate decisions, and per decision what the gate saw (its stored details:
// each pair's tok/s, change, p-value, threshold and verdict; graphs ratios; equality and status
// findings), then every trial of the two runs side by side by pairing key.
#include <cstdio>
#include <map>

#include "reports/html.h"
#include "reports/pages.h"

namespace swapbench::report {
namespace {

std::string run_ref(const Site& site, const std::string& uuid) {
  const Run* r = site.run(uuid);
  if (r) return run_link(*r);
  return uuid.empty() ? "none" : "<span class=\"mono\">" + esc(uuid) + "</span>";
}

double num(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? j[key].get<double>() : 0;
}
bool flag(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_boolean() && j[key].get<bool>();
}
std::string text(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

// Two significant digits: gates see p-values from 0.5 down to 1e-40.
std::string p_value(double p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2g", p);
  return buf;
}

std::string finding_verdict(const nlohmann::json& f) {
  if (flag(f, "error")) return "<span class=\"badge b-bad\">error</span>";
  if (flag(f, "failed"))
    return flag(f, "warning_only") ? "<span class=\"badge b-warn\">warning</span>"
                                   : "<span class=\"badge b-bad\">fail</span>";
  if (flag(f, "note")) return "<span class=\"badge b-close\">pass (note)</span>";
  return "<span class=\"badge b-good\">pass</span>";
}

std::string findings_table(const nlohmann::json& details) {
  std::string rows;
  if (details.contains("findings") && details["findings"].is_array())
    for (const nlohmann::json& f : details["findings"]) {
      const std::string kind = text(f, "kind");
      const bool speed = kind == "speed", ratio = kind == "graphs_ratio";
      auto cell = [](bool show, double v, const std::string& shown) {
        return show ? td_num(v, shown) : std::string("<td class=\"num\" data-v=\"0\">–</td>");
      };
      rows += "<tr data-label=\"" + esc(text(f, "label")) + "\"><td class=\"mono\">" +
              esc(text(f, "label")) + "</td><td>" + esc(kind) + "</td>" +
              cell(speed || ratio, num(f, "baseline_tps"), fixed(num(f, "baseline_tps"), 1)) +
              cell(speed || ratio, num(f, "candidate_tps"), fixed(num(f, "candidate_tps"), 1)) +
              cell(speed, num(f, "change"), percent_change(num(f, "change"))) +
              cell(ratio, num(f, "ratio"), fixed(num(f, "ratio"), 2) + "×") +
              cell(speed, num(f, "p_value"), p_value(num(f, "p_value"))) +
              cell(speed || ratio, num(f, "threshold"), fixed(num(f, "threshold"), 3)) + "<td>" +
              finding_verdict(f) + "</td><td class=\"note\">" + esc(text(f, "detail")) +
              "</td></tr>\n";
    }
  return table("findings",
               th("pair") + th("kind") + th("baseline tok/s", true) + th("candidate tok/s", true) +
                   th("change", true) + th("on/off ratio", true) + th("p-value", true) +
                   th("threshold", true) + th("verdict") + th("why"),
               rows);
}

std::string side_by_side(const Run* a, const Run* b) {
  if (!a || !b) return "<p class=\"note\">One of the runs is not in this database.</p>";
  std::map<std::string, std::pair<const Trial*, const Trial*>> keys;
  for (const Trial& t : a->trials) keys[t.key].first = &t;
  for (const Trial& t : b->trials) keys[t.key].second = &t;
  std::string rows;
  for (const auto& [key, p] : keys) {
    const auto& [ta, tb] = p;
    auto tps = [](const Trial* t) {
      return t ? td_num(t->tps, fixed(t->tps, 1))
               : std::string("<td class=\"num\" data-v=\"0\">–</td>");
    };
    std::string change = "<td class=\"num\" data-v=\"0\">–</td>";
    if (ta && tb && ta->tps > 0 && tb->tps > 0) {
      const double c = tb->tps / ta->tps - 1;
      change = td_num(c, percent_change(c), c >= 0 ? "pos" : "neg");
    }
    rows += "<tr><td class=\"mono\">" + esc(key) + "</td>" + tps(ta) + tps(tb) + change + "<td>" +
            (tb ? equality_badge(tb->equality) + " " + status_badge(tb->status) : "") +
            "</td></tr>\n";
  }
  return table("pairs",
               th("trial key") + th("A tok/s", true) + th("B tok/s", true) + th("B vs A", true) +
                   th("B equality, status"),
               rows);
}

}  // namespace

std::string compare_index_page(const Site& site) {
  std::string rows;
  for (auto it = site.gates.rbegin(); it != site.gates.rend(); ++it) {
    const store::GateDecision& g = *it;
    rows += "<tr><td><a href=\"" + compare_file(g.id) + "\">" + esc(when(g.decided_at)) +
            "</a></td><td>" + esc(g.baseline) + "</td><td>" + run_ref(site, g.baseline_run_uuid) +
            "</td><td>" + run_ref(site, g.run_uuid) + "</td><td>" + verdict_badge(g.verdict) +
            "</td>" + td_num(num(g.details, "paired"), fixed(num(g.details, "paired"), 0)) +
            "<td class=\"note\">" + esc(text(g.details, "summary")) + "</td></tr>\n";
  }
  std::string body =
      "<h1>Gate decisions</h1><p class=\"meta\">Newest first. Each compares a "
      "run (B) against a baseline's run at the time (A).</p>";
  if (site.gates.empty()) body += "<p>No gate has been run yet: <code>swapbench gate</code>.</p>";
  return page("Gates", body + table("gates",
                                    th("decided") + th("baseline") + th("A: baseline run") +
                                        th("B: judged run") + th("verdict") + th("pairs", true) +
                                        th("summary"),
                                    rows));
}

std::string compare_page(const Site& site, const store::GateDecision& g) {
  std::string body = "<h1>Gate " + verdict_badge(g.verdict) + " · baseline " + esc(g.baseline) +
                     "</h1><p class=\"meta\">Decided " + esc(when(g.decided_at)) + ", exit code " +
                     std::to_string(g.exit_code) + ". A: " + run_ref(site, g.baseline_run_uuid) +
                     " (the baseline's run then) · B: " + run_ref(site, g.run_uuid) + "</p><p>" +
                     esc(text(g.details, "summary")) + "</p>";
  body += "<h2>What the gate saw</h2>" + findings_table(g.details);
  body += "<h2>Thresholds</h2><pre class=\"mono\">" + esc(g.thresholds.dump(2)) + "</pre>";
  body += "<h2>All trials, A against B</h2>" +
          side_by_side(site.run(g.baseline_run_uuid), site.run(g.run_uuid));
  return page("Gate " + g.verdict, body);
}

}  // namespace swapbench::report
