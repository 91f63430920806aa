// `swapbench report` on a database made by real CPU sweeps through the CLI (two runs of a
// generated tiny model, a baseline promotion, a gate): every page exists, every local link
// resolves, the numbers shown equal the database's, summary.md names the runs, a hostile tag
// shows as escaped text, bad input is one line on stderr and never changes the database.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "harness/cpu_affinity.h"
#include "runner/model/model_gen.h"
#include "support/test_support.h"

namespace swapbench {
namespace {

namespace fs = std::filesystem;
using test::run_command;

constexpr const char* kHostileTag =
    "<script>document.title='XSS-RAN'</script><img src=x onerror=\"document.title='XSS-RAN'\">";

std::string slurp(const fs::path& p) {
  const auto b = test::read_bytes(p);
  return {b.begin(), b.end()};
}

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '"')
      out += "&quot;";
    else if (c == '\'')
      out += "&#39;";
    else
      out += c;
  }
  return out;
}

std::string one_decimal(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// The <tr ...> element that starts with `opening` (an attribute text), up to its </tr>.
std::string row_with(const std::string& page, const std::string& opening) {
  const size_t at = page.find(opening);
  if (at == std::string::npos) return "";
  const size_t start = page.rfind("<tr", at);
  return page.substr(start, page.find("</tr>", at) - start);
}

class ReportSite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir;
    const std::string model = dir_->file("tiny.gguf").string();
    generate_model(model, {.shape = "tiny", .quant = DType::q4_1, .seed = 4});
    const std::string plans = dir_->file("plans.txt").string();
    std::ofstream(plans) << "rmsnorm=cpu_lanes\nswiglu=cpu_float\n";
    db_ = dir_->file("results.db").string();
    const std::string b = test::swapbench_binary();
    const std::string sweep = b + " sweep --backend cpu -m '" + model +
                              "' --planner file --plans-file '" + plans +
                              "' -w tg6 --max-seconds 0.3 --db '" + db_ + "' ";
    auto must = [](const std::string& cmd) {
      const auto r = run_command(cmd);
      if (r.exit_code != 0) ADD_FAILURE() << cmd << "\n" << r.out << r.err;
      return r;
    };
    must(sweep + "--tag nightly");
    must(b + " baseline promote main --note first --db '" + db_ + "'");
    // The tag goes through a file so the shell does not interpret it.
    const std::string tag_file = dir_->file("tag.txt").string();
    std::ofstream(tag_file) << kHostileTag;
    // The second run records taps, so its divergence pages can name the first differing slot.
    must(sweep + "--taps 2 --tag \"$(cat '" + tag_file + "')\"");
    // Either verdict is fine (CPU timing drifts); the decision is what the site must show.
    const auto g = run_command(b + " gate --baseline main --json --db '" + db_ + "'");
    EXPECT_TRUE(g.exit_code == 0 || g.exit_code == 1) << g.out << g.err;
    gate_ = nlohmann::json::parse(g.out);
    db_bytes_ = test::read_bytes(db_);
    site_ = dir_->path() / "site";
    report_ = run_command(b + " report --db '" + db_ + "' -o '" + site_.string() + "'");
    const auto e = run_command(b + " db export '" + db_ + "' --json");
    runs_ = nlohmann::json::parse(e.out).at("runs");
  }
  static void TearDownTestSuite() { delete dir_; }

  static std::vector<fs::path> html_files() {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(site_))
      if (e.path().extension() == ".html") out.push_back(e.path());
    return out;
  }

  static inline test::TempDir* dir_ = nullptr;
  static inline std::string db_;
  static inline fs::path site_;
  static inline test::CommandResult report_;
  static inline nlohmann::json gate_, runs_;
  static inline std::vector<uint8_t> db_bytes_;
};

TEST_F(ReportSite, PrintsTheIndexPathAndLeavesTheDatabaseUnchanged) {
  ASSERT_EQ(report_.exit_code, 0) << report_.err;
  EXPECT_EQ(report_.out, fs::absolute(site_ / "index.html").lexically_normal().string() + "\n");
  EXPECT_EQ(test::read_bytes(db_), db_bytes_) << "a report must not write the database";
}

TEST_F(ReportSite, EveryPageKindExists) {
  ASSERT_EQ(runs_.size(), 2u);
  for (const char* f : {"index.html", "trends.html", "slots.html", "compare.html", "summary.md",
                        "compare-1.html", "slot-rmsnorm.html", "slot-matvec.q4_1.html"})
    EXPECT_TRUE(fs::exists(site_ / f)) << f;
  for (const auto& run : runs_) {
    EXPECT_TRUE(fs::exists(site_ / ("run-" + run["uuid"].get<std::string>() + ".html")));
    for (const auto& t : run["trials"]) {
      const std::string eq = t["result"].value("equality", "");
      if (!eq.empty() && eq != "bitwise")  // cpu_lanes / cpu_float reassociate
        EXPECT_TRUE(
            fs::exists(site_ / ("divergence-" + std::to_string(t["id"].get<int>()) + ".html")))
            << t["key"];
    }
  }
}

// Run 1 was swept without taps, run 2 with `--taps 2`: only run 2's divergence pages name the
// first differing slot, and it is the slot the plan changed (everything before the first changed
// output is computed alike, so the first difference is that slot's).
TEST_F(ReportSite, DivergencePagesNameTheFirstDifferingSlotWhenTheSweepRecordedTaps) {
  ASSERT_EQ(runs_.size(), 2u);
  size_t named = 0, unnamed = 0;
  for (const auto& run : runs_) {
    const bool with_taps = run["tag"].get<std::string>() != "nightly";
    for (const auto& t : run["trials"]) {
      const nlohmann::json& r = t["result"];
      if (r.value("equality", "bitwise") == "bitwise") continue;
      const std::string page =
          slurp(site_ / ("divergence-" + std::to_string(t["id"].get<int>()) + ".html"));
      const std::string plan = r["spec"]["plan"].get<std::string>();
      const std::string slot = plan.substr(0, plan.find('='));  // rmsnorm / swiglu
      if (with_taps) {
        EXPECT_GT(r["taps"].size(), 0u) << plan << ": sweep --taps recorded nothing";
        EXPECT_NE(page.find("<p class=\"first-tap\">First differing slot output: <b>step "),
                  std::string::npos)
            << plan << ": the page does not name a first differing slot";
        EXPECT_NE(page.find("(" + slot + ")</b>"), std::string::npos)
            << plan << ": the first differing slot is not " << slot;
        ++named;
      } else {
        EXPECT_NE(page.find("No taps were recorded for this trial"), std::string::npos) << plan;
        ++unnamed;
      }
    }
  }
  EXPECT_EQ(named, 2u) << "both plans of the tapped run reassociate";
  EXPECT_EQ(unnamed, 2u);
}

TEST_F(ReportSite, EveryLocalLinkResolvesAndNothingIsFetched) {
  const std::regex href("href=\"([^\"]*)\"");
  size_t links = 0;
  for (const fs::path& p : html_files()) {
    const std::string page = slurp(p);
    for (std::sregex_iterator it(page.begin(), page.end(), href), end; it != end; ++it) {
      const std::string target = (*it)[1];
      ASSERT_EQ(target.find("://"), std::string::npos) << p << " links out: " << target;
      const size_t hash = target.find('#');
      const std::string file = target.substr(0, hash);
      const fs::path dest = file.empty() ? p : site_ / file;
      EXPECT_TRUE(fs::exists(dest)) << p.filename() << " -> " << target;
      if (hash != std::string::npos && fs::exists(dest))
        EXPECT_NE(slurp(dest).find("id=\"" + target.substr(hash + 1) + "\""), std::string::npos)
            << p.filename() << " -> " << target;
      ++links;
    }
    for (const char* external :
         {"<link", "<img", "<iframe", "<object", "<embed", "src=\"", "@import", "url("})
      EXPECT_EQ(page.find(external), std::string::npos) << p.filename() << " has " << external;
    EXPECT_NE(page.find("Content-Security-Policy"), std::string::npos) << p.filename();
  }
  EXPECT_GT(links, 20u);
}

TEST_F(ReportSite, RunPagesShowTheDatabaseMedianTokensPerSecond) {
  size_t checked = 0;
  for (const auto& run : runs_) {
    const std::string page = slurp(site_ / ("run-" + run["uuid"].get<std::string>() + ".html"));
    for (const auto& t : run["trials"]) {
      const std::string row = row_with(page, "data-key=\"" + html_escape(t["key"]) + "\"");
      ASSERT_FALSE(row.empty()) << t["key"];
      const double tps = t["result"]["tokens_per_second"].get<double>();
      std::smatch m;
      ASSERT_TRUE(
          std::regex_search(row, m, std::regex("class=\"num tps\" data-v=\"([^\"]+)\">([^<]+)<")))
          << row;
      EXPECT_EQ(std::stod(m[1]), tps) << t["key"];
      EXPECT_EQ(m[2].str(), one_decimal(tps)) << t["key"];
      EXPECT_NE(row.find(html_escape(t["result"].value("equality", "–"))), std::string::npos)
          << row;
      EXPECT_NE(row.find(">" + t["result"]["status"].get<std::string>() + "<"), std::string::npos);
      EXPECT_NE(row.find("<svg"), std::string::npos) << "per-slot breakdown bar";
      // The CPUs the trial ran on, as the sweep stored them (list format: CpuAffinity tests).
      const auto cpus = t["result"]["cpus_seen"].get<std::vector<int>>();
      ASSERT_FALSE(cpus.empty()) << "sweep trials record cpus_seen";
      EXPECT_NE(row.find("class=\"cpus mono\">" + affinity::format_cpu_list(cpus) + "<"),
                std::string::npos)
          << row;
      ++checked;
    }
    const std::string index_row = row_with(slurp(site_ / "index.html"),
                                           "data-run=\"" + run["uuid"].get<std::string>() + "\"");
    EXPECT_NE(index_row.find("class=\"num trials\" data-v=\"" +
                             std::to_string(run["trials"].size()) + "\""),
              std::string::npos)
        << index_row;
  }
  EXPECT_EQ(checked, 6u);
}

TEST_F(ReportSite, ComparePageShowsWhatTheGateSaw) {
  const std::string page = slurp(site_ / "compare-1.html");
  EXPECT_NE(page.find(">" + gate_["verdict"].get<std::string>() + "<"), std::string::npos);
  size_t speed = 0;
  for (const auto& f : gate_["findings"]) {
    if (f["kind"] != "speed") continue;
    const std::string row = row_with(page, "data-label=\"" + html_escape(f["label"]) + "\"");
    ASSERT_FALSE(row.empty()) << f["label"];
    EXPECT_NE(row.find(">" + one_decimal(f["baseline_tps"]) + "<"), std::string::npos) << row;
    EXPECT_NE(row.find(">" + one_decimal(f["candidate_tps"]) + "<"), std::string::npos) << row;
    char p[32];
    std::snprintf(p, sizeof p, "%.2g", f["p_value"].get<double>());
    EXPECT_NE(row.find(std::string(">") + p + "<"), std::string::npos) << row;
    ++speed;
  }
  EXPECT_EQ(speed, 3u);
}

TEST_F(ReportSite, SummaryNamesTheRunsAndTheGate) {
  const std::string md = slurp(site_ / "summary.md");
  for (const auto& run : runs_)
    EXPECT_NE(md.find("`" + run["uuid"].get<std::string>().substr(0, 8) + "`"), std::string::npos);
  EXPECT_NE(md.find("Gate against `main`: **" + gate_["verdict"].get<std::string>()),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("rmsnorm=cpu_lanes"), std::string::npos);
}

TEST_F(ReportSite, HostileTagShowsAsEscapedText) {
  for (const fs::path& p : html_files()) {
    const std::string page = slurp(p);
    EXPECT_EQ(page.find("<script>document.title"), std::string::npos) << p.filename();
    EXPECT_EQ(page.find("onerror=\""), std::string::npos) << p.filename();
    size_t scripts = 0;
    for (size_t at = page.find("<script"); at != std::string::npos;
         at = page.find("<script", at + 1))
      ++scripts;
    EXPECT_EQ(scripts, 1u) << p.filename() << ": only the page's own script";
  }
  const std::string index = slurp(site_ / "index.html");
  EXPECT_NE(index.find(html_escape(kHostileTag)), std::string::npos);
}

TEST_F(ReportSite, MissingDatabaseIsOneLineAndCreatesNothing) {
  const fs::path db = dir_->file("absent.db");
  const auto r = run_command(test::swapbench_binary() + " report --db '" + db.string() + "' -o '" +
                             dir_->file("absent-site").string() + "'");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("no such file"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(db));
  EXPECT_FALSE(fs::exists(dir_->file("absent-site")));
}

TEST_F(ReportSite, CorruptDatabaseIsOneLineAndStaysUntouched) {
  const fs::path db = dir_->file("corrupt.db");
  const std::vector<uint8_t> junk(4096, 0x5a);
  test::write_bytes(db, junk);
  const auto r = run_command(test::swapbench_binary() + " report --db '" + db.string() + "' -o '" +
                             dir_->file("corrupt-site").string() + "'");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(test::read_bytes(db), junk);
  EXPECT_FALSE(fs::exists(dir_->file("corrupt-site")));
}

TEST_F(ReportSite, UnwritableFolderIsOneLineAndLeavesTheDatabase) {
  const fs::path blocker = dir_->file("a-file");
  std::ofstream(blocker) << "not a folder";
  const auto r = run_command(test::swapbench_binary() + " report --db '" + db_ + "' -o '" +
                             (blocker / "site").string() + "'");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("cannot create the report folder"), std::string::npos) << r.err;
  EXPECT_EQ(test::read_bytes(db_), db_bytes_);
}

}  // namespace
}  // namespace swapbench
