// Pieces shared by the pages: run provenance as text, links, which trials diverge.
#include <set>

#include "reports/html.h"
#include "reports/pages.h"

namespace swapbench::report {

std::string commit_html(const store::RunInfo& r) {
  std::string s = "<span class=\"mono\" title=\"" + esc(r.git_commit) + "\">" +
                  esc(r.git_commit.empty() ? "unknown" : r.git_commit.substr(0, 12)) + "</span>";
  if (r.git_dirty) s += " (dirty)";
  if (!r.git_branch.empty()) s += " on " + esc(r.git_branch);
  return s;
}

std::string device_label(const store::RunInfo& r) {
  if (!r.gpu_name.empty()) return r.gpu_name;
  return r.host.empty() ? r.backend : r.host + " (" + r.backend + ")";
}

std::string when(const std::string& iso) {
  std::string s = iso.substr(0, 19);
  if (s.size() > 10 && s[10] == 'T') s[10] = ' ';
  return s;
}

std::string run_link(const Run& run) {
  return "<a href=\"" + run_file(run.info.uuid) + "\">" + esc(when(run.info.started_at)) +
         " · <span class=\"mono\">" + esc(run.short_id()) + "</span></a>";
}

bool has_divergence(const Trial& t) {
  return !t.equality.empty() && t.equality != "bitwise" &&
         (t.status == "ok" || t.status == "mismatch");
}

std::vector<std::string> slot_names(const Site& site) {
  std::set<std::string> names;
  for (const Run& r : site.runs)
    for (const Trial& t : r.trials)
      for (const SlotTime& s : t.slots) names.insert(s.slot);
  return {names.begin(), names.end()};
}

}  // namespace swapbench::report
