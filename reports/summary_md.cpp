// summary.md: what a pull-request comment wants: the newest run's trials (tok/s, change
// against the reference plan, equality, status), its fastest bitwise plan and gate verdict,
// then the recent runs. Table cells escape '|' so plan names cannot break the table.
#include "reports/html.h"
#include "reports/pages.h"

namespace swapbench::report {
namespace {

// A Markdown table cell: '|' escaped, newlines flattened, HTML-significant characters escaped
// (GitHub renders inline HTML in comments).
std::string cell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n' || c == '\r')
      out += ' ';
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else
      out += c;
  }
  return out;
}

// Text inside a code span: HTML is not rendered there, so only '|' and backticks matter.
std::string code(const std::string& s) {
  std::string out = "`";
  for (char c : s) {
    if (c == '|')
      out += "\\|";
    else if (c == '`')
      out += '\'';
    else if (c == '\n' || c == '\r')
      out += ' ';
    else
      out += c;
  }
  return out + "`";
}

}  // namespace

std::string summary_markdown(const Site& site) {
  std::string md = "### swapbench report\n\n";
  if (site.runs.empty()) return md + "No runs in " + code(site.db_path) + ".\n";
  const Run& run = site.runs.front();
  const store::RunInfo& r = run.info;
  md += "Newest run `" + run.short_id() + "` (" + cell(when(r.started_at)) + ", tag " +
        cell(r.tag.empty() ? "none" : r.tag) + ", " + cell(device_label(r)) + ", commit " +
        code(r.git_commit.substr(0, 12)) + (r.git_dirty ? " dirty" : "") +
        "): " + std::to_string(run.trials.size()) + " trials, " + std::to_string(run.failures()) +
        " not ok.\n\n";
  for (const store::GateDecision& g : run.gates)
    md += "Gate against " + code(g.baseline) + ": **" + cell(g.verdict) + "**. " +
          cell(g.details.value("summary", "")) + "\n\n";
  if (const Trial* best = run.fastest_bitwise())
    md += "Fastest bitwise plan: " + code(best->plan_label()) + " (" + cell(best->workload) +
          ", graphs " + best->mode() + "): " + fixed(best->tps, 1) + " tok/s.\n\n";
  md +=
      "| plan | workload | graphs | tok/s | interval | vs reference | equality | status |\n"
      "|---|---|---|---:|---|---:|---|---|\n";
  for (const Trial& t : run.trials) {
    const Trial* ref = run.reference_for(t);
    const std::string change = ref && ref != &t && ref->tps > 0 && t.tps > 0
                                   ? percent_change(t.tps / ref->tps - 1)
                                   : (ref == &t ? "reference" : "–");
    md += "| " + code(t.plan_label()) + " | " + cell(t.workload) + " | " + t.mode() + " | " +
          fixed(t.tps, 1) + " | " +
          (t.tps_hi > 0 ? fixed(t.tps_lo, 1) + " – " + fixed(t.tps_hi, 1) : "–") + " | " + change +
          " | " + cell(t.equality.empty() ? "–" : t.equality) + " | " + cell(t.status) + " |\n";
  }
  md +=
      "\n#### Runs\n\n| run | started | tag | device | commit | trials | not ok | gate |\n"
      "|---|---|---|---|---|---:|---:|---|\n";
  for (const Run& x : site.runs) {
    const std::string gate = x.gates.empty() ? "" : x.gates.back().verdict;
    md += "| `" + x.short_id() + "` | " + cell(when(x.info.started_at)) + " | " + cell(x.info.tag) +
          " | " + cell(device_label(x.info)) + " | " + code(x.info.git_commit.substr(0, 12)) +
          " | " + std::to_string(x.trials.size()) + " | " + std::to_string(x.failures()) + " | " +
          cell(gate) + " |\n";
  }
  return md;
}

}  // namespace swapbench::report
