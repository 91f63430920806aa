// The index: every run, newest first, with what a reader scans for (date, tag, device, commit,
// trials, failures, gate verdict) and a link to its page.
#include "reports/html.h"
#include "reports/pages.h"

namespace swapbench::report {

std::string index_page(const Site& site) {
  std::string rows;
  size_t trials = 0;
  for (const Run& run : site.runs) {
    trials += run.trials.size();
    const store::RunInfo& r = run.info;
    std::string gate;
    for (const store::GateDecision& g : run.gates)
      gate = "<a href=\"" + compare_file(g.id) + "\">" + verdict_badge(g.verdict) + "</a> vs " +
             esc(g.baseline);  // the newest decision wins
    std::string baselines;
    for (const auto& [name, history] : site.promotions)
      for (const store::BaselinePromotion& p : history)
        if (p.run_uuid == r.uuid)
          baselines += " <span class=\"badge b-close\">" + esc(name) + "</span>";
    const size_t failures = run.failures();
    rows +=
        "<tr data-run=\"" + esc(r.uuid) + "\"><td>" + run_link(run) + baselines + "</td><td>" +
        esc(r.tag) + "</td><td>" + esc(device_label(r)) + "</td><td>" + esc(run.model_description) +
        "</td><td>" + commit_html(r) + "</td>" +
        td_num(double(run.trials.size()), std::to_string(run.trials.size()), "trials") +
        td_num(double(failures), std::to_string(failures), failures ? "failures neg" : "failures") +
        "<td>" + esc(r.status) + "</td><td>" + gate + "</td></tr>\n";
  }
  std::string body = "<h1>Runs</h1><p class=\"meta\">" + std::to_string(site.runs.size()) +
                     " runs, " + std::to_string(trials) + " trials, " +
                     std::to_string(site.gates.size()) + " gate decisions from <code>" +
                     esc(site.db_path) + "</code>. <a href=\"trends.html\">Trends</a> · " +
                     "<a href=\"slots.html\">Slots</a> · <a href=\"compare.html\">Gates</a></p>";
  if (site.runs.empty()) body += "<p>No runs yet: <code>swapbench sweep</code> writes them.</p>";
  body += table("runs",
                th("run") + th("tag") + th("device") + th("model") + th("commit") +
                    th("trials", true) + th("failures", true) + th("status") + th("gate"),
                rows);
  if (!site.promotions.empty()) {
    body += "<h2>Baselines</h2><ul>";
    for (const auto& [name, history] : site.promotions) {
      const Run* cur = site.run(history.back().run_uuid);
      body += "<li><b>" + esc(name) + "</b> → " +
              (cur ? run_link(*cur) : esc(history.back().run_uuid)) + " (promoted " +
              esc(when(history.back().promoted_at)) + ", " + std::to_string(history.size()) +
              " promotions)</li>";
    }
    body += "</ul>";
  }
  return page("Runs", body);
}

}  // namespace swapbench::report
