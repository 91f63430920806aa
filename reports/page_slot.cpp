// Slots: for each slot, its variants side by side across runs: per-slot time, achieved
// bandwidth as a share of the measured peak, and the tok/s change and equality of the trial
// that ran the variant. A variant's numbers come from the trial with the shortest plan that
// used it (the reference plan for the reference variant, its one-at-a-time plan otherwise).
#include <map>
#include <set>

#include "reports/html.h"
#include "reports/pages.h"

namespace swapbench::report {
namespace {

struct Use {
  const Run* run = nullptr;
  const Trial* trial = nullptr;
  const SlotTime* slot = nullptr;
};

// For this slot in this run: workload|graphs -> variant -> the trial with the shortest plan.
std::map<std::string, std::map<std::string, Use>> uses(const Run& run, const std::string& slot) {
  std::map<std::string, std::map<std::string, Use>> out;
  for (const Trial& t : run.trials)
    for (const SlotTime& s : t.slots) {
      if (s.slot != slot) continue;
      Use& u = out[t.workload + " · graphs " + t.mode()][s.variant];
      if (!u.trial || t.plan.size() < u.trial->plan.size()) u = {&run, &t, &s};
    }
  return out;
}

std::string pct_peak(const SlotTime& s) {
  return s.pct_of_peak > 0 ? fixed(s.pct_of_peak, 1) + "%" : "–";
}

}  // namespace

std::string slots_page(const Site& site) {
  std::string rows;
  for (const std::string& slot : slot_names(site)) {
    std::set<std::string> variants;
    size_t runs = 0;
    for (const Run& r : site.runs) {
      bool seen = false;
      for (const Trial& t : r.trials)
        for (const SlotTime& s : t.slots)
          if (s.slot == slot) variants.insert(s.variant), seen = true;
      runs += seen;
    }
    std::string names;
    for (const std::string& v : variants) names += (names.empty() ? "" : ", ") + v;
    rows += "<tr><td><a href=\"" + slot_file(slot) + "\">" + esc(slot) +
            "</a></td><td class=\"mono\">" + esc(names) + "</td>" +
            td_num(double(runs), std::to_string(runs)) + "</tr>\n";
  }
  return page("Slots",
              "<h1>Slots</h1><p class=\"meta\">Each slot's variants, side by side across "
              "runs.</p>" +
                  table("slots", th("slot") + th("variants seen") + th("runs", true), rows));
}

std::string slot_page(const Site& site, const std::string& slot) {
  std::string body = "<h1>Slot <span class=\"mono\">" + esc(slot) +
                     "</span></h1><p class=\"meta\">"
                     "Per run and workload, each variant's time in this slot per decode step "
                     "(summed over layers), achieved bandwidth and its share of the measured "
                     "peak (– when the peak was not measured), and the change in tok/s and the "
                     "equality of the trial that ran it, against the reference plan.</p>";
  std::string rows;
  for (const Run& run : site.runs)
    for (const auto& [mode, variants] : uses(run, slot))
      for (const auto& [variant, u] : variants) {
        const Trial* ref = run.reference_for(*u.trial);
        std::string change = "<td class=\"num\" data-v=\"0\">–</td>";
        if (ref && ref != u.trial && ref->tps > 0 && u.trial->tps > 0) {
          const double c = u.trial->tps / ref->tps - 1;
          change = td_num(c, percent_change(c), c >= 0 ? "pos" : "neg");
        } else if (ref == u.trial) {
          change = "<td class=\"num note\" data-v=\"0\">reference</td>";
        }
        rows += "<tr><td>" + run_link(run) + "</td><td>" + esc(mode) + "</td><td class=\"mono\">" +
                esc(variant) + "</td><td class=\"mono\">" + esc(u.trial->plan_label()) + "</td>" +
                td_num(u.slot->ms, fixed(u.slot->ms, 4), "slot-ms") +
                td_num(u.slot->share, fixed(100 * u.slot->share, 1) + "%") +
                td_num(u.slot->gbps, fixed(u.slot->gbps, 1)) +
                td_num(u.slot->pct_of_peak, pct_peak(*u.slot)) + change + "<td>" +
                equality_badge(u.trial->equality) + "</td></tr>\n";
      }
  body += table("variants",
                th("run") + th("workload") + th("variant") + th("trial plan") +
                    th("ms / step", true) + th("share of step", true) + th("GB/s", true) +
                    th("% of peak", true) + th("tok/s vs reference", true) + th("equality"),
                rows);
  return page("Slot " + slot, body);
}

}  // namespace swapbench::report
