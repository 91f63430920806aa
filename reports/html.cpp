// The page frame and the small pieces every page uses. The style and script are constants, so
// their CSP hashes are computed once; the policy forbids every other script, style, image,
// font, frame and connection.
#include "reports/html.h"

#include <cctype>
#include <cmath>
#include <cstdio>

#include "reports/sha256.h"

namespace swapbench::report {
namespace {

constexpr const char* kStyle = R"CSS(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2330;background:#fafbfc}
nav{background:#1d2330;padding:8px 20px}
nav a{color:#e6e9ef;margin-right:18px;text-decoration:none;font-weight:600}
main{padding:16px 24px;max-width:1400px}h1{font-size:22px;margin:8px 0 4px}
h2{font-size:17px;margin:22px 0 8px}
.meta{color:#5b6478;margin:0 0 12px}
table{border-collapse:collapse;background:#fff;margin:6px 0 14px}
th,td{border:1px solid #dde1e8;padding:4px 8px;text-align:left;vertical-align:middle}
th{background:#eef1f6;cursor:pointer;user-select:none;white-space:nowrap}
th.num,td.num{text-align:right}
td.num{font-variant-numeric:tabular-nums;white-space:nowrap}tr.best td{background:#e8f7ec}
tr.best td:first-child{border-left:4px solid #1f9d55}
.badge{display:inline-block;white-space:nowrap;padding:1px 7px;border-radius:9px;font-size:12px;font-weight:600;color:#fff;background:#8a93a6}
.b-good{background:#1f9d55}.b-close{background:#3c7dd9}.b-warn{background:#d68a00}
.b-bad{background:#d0342c}
.filter{margin:4px 0;padding:3px 6px;width:280px}
code,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px}
.note{color:#5b6478;font-size:13px}.pos{color:#1f7a45}.neg{color:#b3261e}
svg{display:block;margin:4px 0}
.legend span{margin-right:14px}.sw{display:inline-block;width:10px;height:10px;margin-right:4px}
)CSS";

// Sorting: click a header (numeric columns by data-v). Filtering: rows without the box's text
// are hidden. Marks the body data-js="ready" so the browser tests know it ran.
constexpr const char* kScript = R"JS(
document.querySelectorAll('table.sortable').forEach(function(t){
  t.querySelectorAll('th').forEach(function(h,i){h.addEventListener('click',function(){
    var b=t.tBodies[0],rows=Array.prototype.slice.call(b.rows),num=h.classList.contains('num');
    var dir=h.dataset.dir==='asc'?-1:1;h.dataset.dir=dir===1?'asc':'desc';
    rows.sort(function(x,y){var a=x.cells[i],c=y.cells[i];if(!a||!c)return 0;
      if(num){return dir*((parseFloat(a.dataset.v)||0)-(parseFloat(c.dataset.v)||0));}
      return dir*a.textContent.localeCompare(c.textContent);});
    rows.forEach(function(r){b.appendChild(r);});});});});
document.querySelectorAll('input.filter').forEach(function(f){f.addEventListener('input',function(){
  var t=document.getElementById(f.dataset.table),q=f.value.toLowerCase();
  Array.prototype.forEach.call(t.tBodies[0].rows,function(r){
    r.hidden=q!==''&&r.textContent.toLowerCase().indexOf(q)<0;});});});
document.body.dataset.js='ready';
)JS";

const std::string& policy() {
  static const std::string p = "default-src 'none'; style-src '" + csp_hash(kStyle) +
                               "'; script-src '" + csp_hash(kScript) +
                               "'; img-src 'none'; base-uri 'none'; form-action 'none'";
  return p;
}

std::string badge(const std::string& cls, const std::string& text) {
  return "<span class=\"badge " + cls + "\">" + esc(text) + "</span>";
}

// File-name-safe form of a stored name: letters, digits, '.', '-', '_' kept, the rest '_'.
std::string safe_name(const std::string& s) {
  std::string out;
  for (char c : s)
    out +=
        (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_') ? c : '_';
  return out.empty() ? "_" : out;
}

}  // namespace

std::string esc(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string fixed(double v, int decimals) {
  if (!std::isfinite(v)) return "–";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string percent_change(double fraction) {
  if (!std::isfinite(fraction)) return "–";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%+.1f%%", fraction * 100.0);
  return buf;
}

std::string exact(double v) {
  if (!std::isfinite(v)) return "0";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string run_file(const std::string& uuid) { return "run-" + safe_name(uuid) + ".html"; }
std::string slot_file(const std::string& slot) { return "slot-" + safe_name(slot) + ".html"; }
std::string compare_file(int64_t gate_id) { return "compare-" + std::to_string(gate_id) + ".html"; }
std::string divergence_file(int64_t trial_id) {
  return "divergence-" + std::to_string(trial_id) + ".html";
}

std::string equality_badge(const std::string& v) {
  if (v.empty()) return badge("", "–");
  if (v == "bitwise") return badge("b-good", v);
  if (v.rfind("ulp", 0) == 0 || v.rfind("nmse", 0) == 0) return badge("b-close", v);
  if (v == "top1" || v == "greedy") return badge("b-warn", v);
  return badge("b-bad", v);
}

std::string status_badge(const std::string& s) {
  if (s == "ok") return badge("b-good", s);
  if (s == "skipped") return badge("", s);
  return badge("b-bad", s);
}

std::string verdict_badge(const std::string& v) {
  if (v.empty()) return "";
  if (v == "pass") return badge("b-good", v);
  if (v == "not comparable") return badge("b-warn", v);
  return badge("b-bad", v);
}

std::string table(const std::string& id, const std::string& head, const std::string& rows) {
  return "<input class=\"filter\" type=\"search\" placeholder=\"filter rows\" data-table=\"" + id +
         "\" aria-label=\"filter rows\">\n<table class=\"sortable\" id=\"" + id +
         "\">\n<thead><tr>" + head + "</tr></thead>\n<tbody>\n" + rows + "</tbody>\n</table>\n";
}

std::string th(const std::string& label, bool numeric) {
  return std::string(numeric ? "<th class=\"num\">" : "<th>") + esc(label) + "</th>";
}

std::string td_num(double sort_key, const std::string& shown, const std::string& cls) {
  return "<td class=\"num" + (cls.empty() ? "" : " " + cls) + "\" data-v=\"" + exact(sort_key) +
         "\">" + shown + "</td>";
}

std::string page(const std::string& title, const std::string& body) {
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"" +
         policy() +
         "\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<title>" +
         esc(title) + " · swapbench</title>\n<style>" + kStyle +
         "</style>\n</head>\n<body>\n<nav><a href=\"index.html\">swapbench</a>"
         "<a href=\"index.html\">Runs</a><a href=\"trends.html\">Trends</a>"
         "<a href=\"slots.html\">Slots</a><a href=\"compare.html\">Gates</a></nav>\n<main>\n" +
         body + "\n</main>\n<script>" + kScript + "</script>\n</body>\n</html>\n";
}

}  // namespace swapbench::report
