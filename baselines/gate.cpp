// The regression gate: pairs candidate trials with baseline trials, judges speed (size AND
// significance), graphs ratio, equality and status, and folds the findings into a verdict.
#include "baselines/gate.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "harness/stats.h"

namespace swapbench::gate {
namespace {

// Trials compare only when everything that changes their speed matches.
using Key = std::tuple<std::string, std::string, std::string, bool, std::string, std::string>;
Key key(const Trial& t) {
  return {t.model_sha256, t.plan, t.workload, t.graphs, t.gpu_name, t.driver};
}
// The key without the device: trials that would pair but for the GPU model or driver.
using LooseKey = std::tuple<std::string, std::string, std::string, bool>;
LooseKey loose_key(const Trial& t) { return {t.model_sha256, t.plan, t.workload, t.graphs}; }

std::string format(const char* fmt, double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, x);
  return buf;
}
std::string percent(double fraction) { return format("%+.2f%%", 100 * fraction); }
std::string plain_percent(double fraction) { return format("%.1f%%", 100 * fraction); }
std::string p_text(double p) { return format("%.2g", p); }
std::string count(size_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}
std::string device(const Trial& t) { return t.gpu_name + " (driver " + t.driver + ")"; }

// Why a trial's timing cannot be judged, or "" when it can. Near-zero step times are fine (the
// test works on ranks); zero, negative or non-finite ones mean the timer failed.
std::string unusable(const Trial& t) {
  if (t.samples_ms.empty()) return "no step-time samples";
  for (double x : t.samples_ms)
    if (!std::isfinite(x) || x <= 0) return "a step time of " + format("%g", x) + " ms";
  if (!std::isfinite(t.tokens_per_second) || t.tokens_per_second < 0)
    return "tok/s of " + format("%g", t.tokens_per_second);
  return "";
}
double tps_of(const Trial& t) {
  return t.tokens_per_second > 0 ? t.tokens_per_second : 1000.0 / stats::median(t.samples_ms);
}

// Host-health evidence of both sides of a pair, each line saying which side it came from.
std::vector<std::string> health_evidence(const Trial& a, const char* a_name, const Trial* b,
                                         const char* b_name) {
  std::vector<std::string> out;
  auto add = [&](const Trial& t, const char* name) {
    if (t.healthy) return;
    if (t.evidence.empty()) out.push_back(std::string(name) + ": unhealthy (no evidence kept)");
    for (const auto& e : t.evidence) out.push_back(std::string(name) + ": " + e);
  };
  add(a, a_name);
  if (b) add(*b, b_name);
  return out;
}

Finding speed(const Trial& b, const Trial& c, const Thresholds& t) {
  Finding f{.label = c.label(), .kind = "speed", .threshold = t.drop_for(c.workload, c.graphs)};
  if (b.status != "ok" || c.status != "ok") {
    f.detail = "not compared: " + std::string(c.status != "ok" ? "candidate" : "baseline") +
               " trial is " + (c.status != "ok" ? c.status : b.status);
    f.note = c.status == "ok";  // a failed candidate has its own status finding
    return f;
  }
  for (const auto& [side, trial] : {std::pair{"baseline", &b}, std::pair{"candidate", &c}}) {
    if (const std::string why = unusable(*trial); !why.empty()) {
      f.failed = f.error = true;
      f.detail = std::string("cannot judge speed: ") + side + " trial has " + why;
      return f;
    }
  }
  f.baseline_tps = tps_of(b);
  f.candidate_tps = tps_of(c);
  f.change = f.candidate_tps / f.baseline_tps - 1;
  f.p_value = stats::mann_whitney(b.samples_ms, c.samples_ms).p_value;
  const bool beyond = f.change < -f.threshold;  // a faster candidate is never beyond
  const bool significant = f.p_value < t.p_value;
  const std::string size =
      "median tok/s " + percent(f.change) + " (allowed drop " + plain_percent(f.threshold) + ")";
  const std::string sig =
      "p=" + p_text(f.p_value) + (significant ? " < " : " >= ") + p_text(t.p_value);
  if (beyond && significant) {
    f.failed = true;
    f.detail = "regressed: " + size + ", significant, " + sig;
    f.evidence = health_evidence(b, "baseline", &c, "candidate");
    if (!f.evidence.empty()) {
      f.warning_only = true;
      f.detail += "; unhealthy host, so a warning";
    }
  } else if (beyond) {
    f.note = true;
    f.detail = "passes: " + size + " but not significant, " + sig + " (noisy: rerun to confirm)";
  } else if (f.change < 0) {
    f.detail = "passes: " + size + ", within the threshold, " + sig;
  } else {
    f.detail = "passes: " + size + ", " + sig;
  }
  return f;
}

Finding graphs_ratio(const Trial& on, const Trial& off, const Thresholds& t) {
  Finding f{.label = on.plan.empty() ? "reference" : on.plan,
            .kind = "graphs_ratio",
            .threshold = t.min_graphs_ratio};
  f.label += " | " + on.workload + " | graphs on/off";
  for (const Trial* trial : {&on, &off}) {
    if (const std::string why = unusable(*trial); !why.empty()) {
      f.failed = f.error = true;
      f.detail = "cannot judge the graphs ratio: " + trial->label() + " has " + why;
      return f;
    }
  }
  f.baseline_tps = tps_of(off);
  f.candidate_tps = tps_of(on);
  f.ratio = f.candidate_tps / f.baseline_tps;
  f.change = f.ratio - 1;
  const std::string text = "graphs on/off " + format("%.3f", f.ratio) + "x (minimum " +
                           format("%.2f", f.threshold) + "x)";
  if (f.ratio >= f.threshold) {
    f.detail = "passes: " + text;
    return f;
  }
  f.failed = true;
  f.detail = "below the minimum: " + text;
  f.evidence = health_evidence(on, "graphs on", &off, "graphs off");
  if (!f.evidence.empty()) {
    f.warning_only = true;
    f.detail += "; unhealthy host, so a warning";
  }
  return f;
}

// The ladder rank of a verdict text (0 bitwise .. 5 diverged), or nullopt when unknown.
std::optional<int> ladder_rank(const std::string& v) {
  if (v == "bitwise") return 0;
  if (v.starts_with("ulp<=")) return 1;
  if (v.starts_with("nmse<=")) return 2;
  if (v == "top1") return 3;
  if (v == "greedy") return 4;
  if (v.starts_with("diverged@")) return 5;
  return std::nullopt;
}

// Equality is a property of the candidate alone: a variant that breaks its declared class
// fails, and host health has no say in it.
std::optional<Finding> equality(const Trial& c) {
  if (c.equality.empty()) return std::nullopt;
  Finding f{.label = c.label(), .kind = "equality"};
  const std::optional<int> rank = ladder_rank(c.equality);
  int needed = -1;  // weakest rank the declared class accepts
  if (c.declared == "bitwise") needed = 0;
  if (c.declared == "reassociates") needed = 3;  // at least top1
  if (!rank || needed < 0) {
    f.failed = f.error = true;
    f.detail = "cannot judge equality: " + (rank ? "unknown declared class '" + c.declared + "'"
                                                 : "unknown verdict '" + c.equality + "'");
    return f;
  }
  const std::string text = "verdict " + c.equality + ", declared " + c.declared;
  if (*rank == 5) {
    f.failed = true;
    f.detail = text + ": the decode diverged";
  } else if (*rank > needed) {
    f.failed = true;
    f.detail = text + (needed == 0 ? ": needs bitwise" : ": needs at least top1");
  } else {
    f.detail = text + ": meets its class";
  }
  return f;
}

// A candidate trial that did not run to completion. Skipped (the plan does not apply) fails
// only where the baseline ran the same trial.
std::optional<Finding> status(const Trial& c, const Trial* b) {
  if (c.status == "ok") return std::nullopt;
  Finding f{.label = c.label(), .kind = "status"};
  const std::string why = c.error.empty() ? "" : ": " + c.error;
  if (c.status == "skipped") {
    f.failed = b && b->status == "ok";
    f.note = !f.failed;
    f.detail = "skipped" + why + (f.failed ? " (the baseline ran it)" : "");
    return f;
  }
  f.failed = true;
  f.detail = "candidate trial " + c.status + why;
  return f;
}

// Why a candidate trial found no partner, from the baseline trial closest to it.
std::string why_unpaired(const Trial& c, const std::vector<Trial>& baseline) {
  for (const Trial& b : baseline)
    if (loose_key(b) == loose_key(c))
      return "no baseline on " + device(c) + " (the baseline ran on " + device(b) + ")";
  for (const Trial& b : baseline)
    if (b.plan == c.plan && b.workload == c.workload && b.graphs == c.graphs)
      return "model differs (baseline " + b.model_sha256.substr(0, 12) + ", candidate " +
             c.model_sha256.substr(0, 12) + ")";
  return "new in candidate: no baseline trial of this plan, workload and graphs mode";
}

std::string join_devices(const std::vector<Trial>& trials) {
  std::set<std::string> names;
  for (const Trial& t : trials) names.insert(device(t));
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

std::string Trial::label() const {
  return (plan.empty() ? "reference" : plan) + " | " + workload + " | graphs " +
         (graphs ? "on" : "off");
}

int exit_code(Verdict v) {
  switch (v) {
    case Verdict::pass:
      return 0;
    case Verdict::regression:
      return 1;
    case Verdict::error:
      return 2;
    case Verdict::not_comparable:
      return 3;
  }
  return 2;
}

std::string to_string(Verdict v) {
  switch (v) {
    case Verdict::pass:
      return "pass";
    case Verdict::regression:
      return "regression";
    case Verdict::error:
      return "error";
    case Verdict::not_comparable:
      return "not comparable";
  }
  return "error";
}

Result evaluate(const std::vector<Trial>& baseline, const std::vector<Trial>& candidate,
                const Thresholds& t) {
  Result r;
  // Pair in order: the i-th baseline trial of a key with the i-th candidate trial of it.
  std::map<Key, std::deque<size_t>> open;
  for (size_t i = 0; i < baseline.size(); ++i) open[key(baseline[i])].push_back(i);
  std::vector<const Trial*> partner(candidate.size(), nullptr);
  for (size_t i = 0; i < candidate.size(); ++i) {
    auto it = open.find(key(candidate[i]));
    if (it == open.end() || it->second.empty()) continue;
    partner[i] = &baseline[it->second.front()];
    it->second.pop_front();
    ++r.paired;
  }

  size_t compared = 0;
  for (size_t i = 0; i < candidate.size(); ++i) {
    const Trial& c = candidate[i];
    if (const Trial* b = partner[i]) {
      r.findings.push_back(speed(*b, c, t));
      if (r.findings.back().candidate_tps > 0) ++compared;
    } else {
      r.findings.push_back(
          {.label = c.label(), .kind = "unpaired", .detail = why_unpaired(c, baseline)});
    }
    if (auto f = status(c, partner[i])) r.findings.push_back(*f);
    if (auto f = equality(c)) r.findings.push_back(*f);
  }
  for (const auto& [k, left] : open)
    for (size_t i : left)
      r.findings.push_back(
          {.label = baseline[i].label(), .kind = "unpaired", .detail = "missing in candidate"});

  // Graphs on/off among the candidate's own completed trials of one plan, workload and device.
  if (t.min_graphs_ratio > 0) {
    using Mode = std::tuple<std::string, std::string, std::string, std::string, std::string>;
    std::map<Mode, std::pair<const Trial*, const Trial*>> modes;  // on, off
    for (const Trial& c : candidate) {
      if (c.status != "ok") continue;
      auto& [on, off] = modes[{c.model_sha256, c.plan, c.workload, c.gpu_name, c.driver}];
      const Trial*& slot = c.graphs ? on : off;
      if (!slot) slot = &c;  // the first of each mode, as pairing takes the first
    }
    for (const auto& [m, trials] : modes)
      if (trials.first && trials.second)
        r.findings.push_back(graphs_ratio(*trials.first, *trials.second, t));
  }

  size_t failures = 0, warnings = 0, errors = 0, notes = 0;
  std::string first_failure;
  for (const Finding& f : r.findings) {
    errors += f.error;
    warnings += f.failed && f.warning_only;
    notes += f.note;
    if (f.failed && !f.warning_only && !f.error && failures++ == 0)
      first_failure = f.label + " (" + f.kind + "): " + f.detail;
  }
  const std::string counts = count(r.paired, "pair") + ", " + count(failures, "failure") + ", " +
                             count(warnings, "warning") + ", " + count(notes, "note");

  if (r.paired == 0) {
    bool loose_match = false;
    for (const Trial& c : candidate)
      for (const Trial& b : baseline) loose_match = loose_match || loose_key(b) == loose_key(c);
    if (loose_match) {
      r.verdict = Verdict::not_comparable;
      r.summary = "not comparable: the baseline ran on " + join_devices(baseline) +
                  ", the candidate on " + join_devices(candidate);
    } else {
      r.verdict = Verdict::error;
      r.summary = "error: nothing paired (" + std::to_string(baseline.size()) +
                  " baseline trials, " + std::to_string(candidate.size()) +
                  " candidate trials share no model, plan, workload and graphs mode)";
    }
  } else if (errors > 0) {
    r.verdict = Verdict::error;
    r.summary = "error: " + count(errors, "finding") + " could not be judged; " + counts;
  } else if (failures > 0) {
    r.verdict = Verdict::regression;
    r.summary = "regression: " + counts + "; first: " + first_failure;
  } else if (compared == 0) {
    r.verdict = Verdict::error;
    r.summary = "error: paired " + std::to_string(r.paired) +
                " trials but compared the speed of none (no completed pair on both sides)";
  } else {
    r.verdict = Verdict::pass;
    r.summary = "pass: " + counts;
  }
  return r;
}

nlohmann::json Finding::to_json() const {
  return {{"label", label},
          {"kind", kind},
          {"failed", failed},
          {"warning_only", warning_only},
          {"error", error},
          {"note", note},
          {"baseline_tps", baseline_tps},
          {"candidate_tps", candidate_tps},
          {"change", change},
          {"ratio", ratio},
          {"p_value", p_value},
          {"threshold", threshold},
          {"detail", detail},
          {"evidence", evidence}};
}

nlohmann::json Result::to_json() const {
  nlohmann::json fs = nlohmann::json::array();
  for (const Finding& f : findings) fs.push_back(f.to_json());
  return {{"verdict", to_string(verdict)},
          {"exit_code", exit_code(verdict)},
          {"paired", paired},
          {"summary", summary},
          {"findings", fs}};
}

namespace {

// A Markdown table cell: labels contain " | ", which would split the cell.
std::string cell(const std::string& s) {
  std::string out;
  for (char ch : s) {
    if (ch == '|') out += '\\';
    out += ch;
  }
  return out;
}

std::string row_verdict(const Finding& f) {
  if (f.error) return "error";
  if (f.failed) return f.warning_only ? "warning (unhealthy host)" : "**REGRESSION**";
  if (f.kind == "speed" && f.candidate_tps == 0) return "not compared";
  return f.note ? "pass (not significant)" : "pass";
}

}  // namespace

std::string Result::markdown() const {
  std::string upper = to_string(verdict);
  for (char& ch : upper) ch = char(std::toupper(static_cast<unsigned char>(ch)));
  std::string md = "### swapbench gate: " + upper + " (exit " + std::to_string(exit_code(verdict)) +
                   ")\n\n" + summary + "\n";

  bool header = false;
  for (const Finding& f : findings) {
    if (f.kind != "speed") continue;
    if (!header) {
      md +=
          "\n| trial | baseline tok/s | candidate tok/s | change | p | verdict |\n"
          "|---|---:|---:|---:|---:|---|\n";
      header = true;
    }
    const bool measured = f.candidate_tps > 0;
    md += "| " + cell(f.label) + " | " + (measured ? format("%.1f", f.baseline_tps) : "-") + " | " +
          (measured ? format("%.1f", f.candidate_tps) : "-") + " | " +
          (measured ? percent(f.change) : "-") + " | " + (measured ? p_text(f.p_value) : "-") +
          " | " + row_verdict(f) + " |\n";
  }
  header = false;
  for (const Finding& f : findings) {
    if (f.kind != "graphs_ratio" || f.error) continue;
    if (!header) {
      md +=
          "\n| graphs on/off | off tok/s | on tok/s | ratio | minimum | verdict |\n"
          "|---|---:|---:|---:|---:|---|\n";
      header = true;
    }
    md += "| " + cell(f.label) + " | " + format("%.1f", f.baseline_tps) + " | " +
          format("%.1f", f.candidate_tps) + " | " + format("%.3f", f.ratio) + " | " +
          format("%.2f", f.threshold) + " | " + row_verdict(f) + " |\n";
  }

  auto section = [&](const std::string& title, auto&& wanted) {
    std::string body;
    for (const Finding& f : findings) {
      if (!wanted(f)) continue;
      body += "- `" + f.label + "` (" + f.kind + "): " + f.detail + "\n";
      for (const auto& e : f.evidence) body += "  - " + e + "\n";
    }
    if (!body.empty()) md += "\n#### " + title + "\n\n" + body;
  };
  section("Errors", [](const Finding& f) { return f.error; });
  section("Failures", [](const Finding& f) { return f.failed && !f.warning_only && !f.error; });
  section("Warnings", [](const Finding& f) { return f.failed && f.warning_only; });
  section("Notes", [](const Finding& f) { return !f.failed && (f.note || f.kind == "unpaired"); });
  return md;
}

}  // namespace swapbench::gate
