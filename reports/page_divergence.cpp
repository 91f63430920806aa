// Divergence: for a trial that is not bitwise against its reference-plan trial, the first
// decode step whose logits fingerprint differs, and, when both trials recorded taps
// (`sweep --taps N`, `bench --taps N`), the first slot, layer and step whose output differs
// (harness/taps).
#include <algorithm>

#include "harness/taps.h"
#include "reports/html.h"
#include "reports/pages.h"

namespace swapbench::report {
namespace {

std::string tap_row(const char* which, const taps::Tap& t) {
  return "<tr><td>" + std::string(which) + "</td>" + td_num(t.step, std::to_string(t.step)) +
         "<td>" + (t.layer >= 0 ? std::to_string(t.layer) : std::string("head")) +
         "</td><td class=\"mono\">" + esc(t.site) + "</td><td class=\"mono\">" + esc(t.slot) +
         "</td><td class=\"mono\">" + esc(t.variant) + "</td>" +
         td_num(t.stats.sum, exact(t.stats.sum)) + td_num(t.stats.sumsq, exact(t.stats.sumsq)) +
         td_num(t.stats.amax, exact(t.stats.amax)) +
         td_num(t.stats.nan_count, std::to_string(t.stats.nan_count)) + "</tr>\n";
}

std::string taps_section(const Trial& t, const Trial& ref) {
  if (t.taps.empty() || ref.taps.empty())
    return "<p class=\"first-tap none\">No taps were recorded for " +
           std::string(t.taps.empty() ? "this trial" : "the reference trial") +
           ", so the first differing slot cannot be named. Record them with <code>swapbench "
           "sweep --taps N</code> or <code>bench --taps N</code>.</p>";
  try {
    const auto d = taps::first_difference(taps::from_json(t.taps), taps::from_json(ref.taps));
    if (!d)
      return "<p class=\"first-tap none\">Every recorded tap is identical: the difference lies "
             "after the recorded steps.</p>";
    return "<p class=\"first-tap\">First differing slot output: <b>step " +
           std::to_string(d->a.step) + ", " +
           (d->a.layer >= 0 ? "layer " + std::to_string(d->a.layer) : std::string("head")) + ", " +
           esc(d->a.site) + " (" + esc(d->a.slot) + ")</b>: relative change of the sum " +
           fixed(d->rel_sum, 6) + ", of the norm " + fixed(d->rel_norm, 6) + ".</p>" +
           table("taps",
                 th("trial") + th("step", true) + th("layer") + th("site") + th("slot") +
                     th("variant") + th("sum", true) + th("sum of squares", true) +
                     th("max |x|", true) + th("NaN", true),
                 tap_row("this", d->a) + tap_row("reference", d->b));
  } catch (const std::exception& e) {
    return "<p class=\"first-tap none\">The taps cannot be compared: " + esc(e.what()) + "</p>";
  }
}

}  // namespace

std::string divergence_page(const Site& site, const Run& run, const Trial& t) {
  (void)site;
  const Trial* ref = run.reference_for(t);
  std::string body = "<h1>Divergence · <span class=\"mono\">" + esc(t.plan_label()) +
                     "</span></h1><p class=\"meta\">Run " + run_link(run) + " · " +
                     esc(t.workload) + " · graphs " + t.mode() + " · equality " +
                     equality_badge(t.equality) + " " + status_badge(t.status) + "</p>";
  if (!t.error.empty()) body += "<p class=\"note\">" + esc(t.error) + "</p>";
  if (!ref)
    return page("Divergence", body +
                                  "<p>No reference-plan trial of the same workload "
                                  "and graphs mode in this run.</p>");
  const size_t n = std::min(t.fingerprints.size(), ref->fingerprints.size());
  size_t first = n;
  std::string rows;
  for (size_t i = 0; i < n; ++i) {
    const bool same = t.fingerprints[i] == ref->fingerprints[i];
    if (!same && first == n) first = i;
    rows += "<tr" + std::string(same ? "" : " class=\"differs\"") + ">" +
            td_num(double(i), std::to_string(i)) + "<td class=\"mono\">" + esc(t.fingerprints[i]) +
            "</td><td class=\"mono\">" + esc(ref->fingerprints[i]) + "</td><td>" +
            (same ? "<span class=\"badge b-good\">same</span>"
                  : "<span class=\"badge b-bad\">differs</span>") +
            "</td></tr>\n";
  }
  body += "<h2>Logits, step by step</h2>";
  body += first < n ? "<p class=\"first-step\">First step whose logits differ: <b>step " +
                          std::to_string(first) + "</b> of " + std::to_string(n) + ".</p>"
                    : "<p class=\"first-step none\">The logits fingerprints of the " +
                          std::to_string(n) + " recorded steps are identical.</p>";
  body += table("steps", th("step", true) + th("this trial") + th("reference") + th(""), rows);
  body += "<h2>First differing slot</h2>" + taps_section(t, *ref);
  return page("Divergence " + t.plan_label(), body);
}

}  // namespace swapbench::report
