// One function per page kind: each takes the loaded Site and returns a whole HTML document
// (or Markdown for the summary). site.cpp decides which pages exist and writes them.
#pragma once

#include <string>

#include "reports/model.h"

namespace swapbench::report {

std::string index_page(const Site& site);
std::string run_page(const Site& site, const Run& run);
std::string slots_page(const Site& site);  // the list of slots
std::string slot_page(const Site& site, const std::string& slot);
std::string trends_page(const Site& site);
std::string compare_index_page(const Site& site);  // the list of gate decisions
std::string compare_page(const Site& site, const store::GateDecision& gate);
std::string divergence_page(const Site& site, const Run& run, const Trial& trial);
std::string summary_markdown(const Site& site);

// Shared pieces of the pages (page_common.cpp).
// "abc123def456 (dirty) on main", escaped.
std::string commit_html(const store::RunInfo& r);
// The device a run used: GPU name, else host and backend.
std::string device_label(const store::RunInfo& r);
// A link to the run's page: "<a href=run-…>date · short id</a>".
std::string run_link(const Run& run);
// Whether the trial gets a divergence page: judged, ok or mismatch, and not bitwise.
bool has_divergence(const Trial& t);
// The slots every trial of the site profiled, sorted.
std::vector<std::string> slot_names(const Site& site);
// The date part and time of an ISO timestamp: "2025-01-31 12:00:00".
std::string when(const std::string& iso);

}  // namespace swapbench::report
