// Writing the pages: escaping, number formats, badges, links between pages and the page frame
// (one inline style, one inline script for sorting and filtering tables, a Content-Security-
// Policy that allows exactly those two and nothing from anywhere else).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace swapbench::report {

// Escapes & < > " ' : safe in text and in quoted attribute values. Every string that comes from
// the database goes through it.
std::string esc(std::string_view s);

// Fixed decimals ("12345.7"); "–" for NaN or infinity.
std::string fixed(double v, int decimals);
// A change as a signed percentage with one decimal ("+3.2%", "-0.8%").
std::string percent_change(double fraction);
// Full precision, for data-v sort keys and for tests that compare against the database.
std::string exact(double v);

// Page file names (relative to the site's folder).
std::string run_file(const std::string& uuid);
std::string slot_file(const std::string& slot);
std::string compare_file(int64_t gate_id);
std::string divergence_file(int64_t trial_id);

// <span class="badge ...">: the equality verdict coloured by its rung of the ladder, the
// trial status, the gate verdict.
std::string equality_badge(const std::string& verdict);
std::string status_badge(const std::string& status);
std::string verdict_badge(const std::string& verdict);

// A sortable, filterable table: `id` is the element id, `head` the <th> cells (from th()),
// `rows` the <tr> elements. A filter box above it hides rows that do not contain its text.
std::string table(const std::string& id, const std::string& head, const std::string& rows);
// A header cell; numeric columns sort by each cell's data-v.
std::string th(const std::string& label, bool numeric = false);
// A cell with a numeric sort key.
std::string td_num(double sort_key, const std::string& shown, const std::string& cls = "");

// The whole document: title (escaped here), the navigation bar, body HTML as given.
std::string page(const std::string& title, const std::string& body);

}  // namespace swapbench::report
