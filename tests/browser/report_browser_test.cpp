// The report site in a real browser: headless Chromium loads every page of a site built from
// real CPU sweeps from disk; the DOM after scripts ran holds the tables and SVG charts, the
// page's own script ran (under its Content-Security-Policy), a hostile run tag stayed text and
// never ran, and no request left any page (read from Chromium's net log; control pages show
// that the checks catch a script that runs and a request that leaves).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "runner/model/model_gen.h"
#include "support/test_support.h"

namespace swapbench {
namespace {

namespace fs = std::filesystem;
using test::run_command;

// Runs the script the tag carries would set the title to this; it must never appear there.
constexpr const char* kMarker = "XSS-RAN";
constexpr const char* kHostileTag =
    "<script>document.title='XSS-RAN'</script><img src=x onerror=\"document.title='XSS-RAN'\">";

std::string slurp(const fs::path& p) {
  const auto b = test::read_bytes(p);
  return {b.begin(), b.end()};
}

// $SWAPBENCH_CHROMIUM, else chromium (Debian) or chromium-browser on the PATH; "" when none.
std::string find_chromium() {
  if (const char* c = std::getenv("SWAPBENCH_CHROMIUM")) return c;
  const auto r = run_command("(command -v chromium || command -v chromium-browser)");
  std::string path = r.out.substr(0, r.out.find('\n'));
  return r.exit_code == 0 ? path : "";
}

#define SB_REQUIRE_CHROMIUM()                                                           \
  if (chromium_.empty()) {                                                              \
    if (::swapbench::test::in_ci())                                                     \
      FAIL() << "chromium missing in CI: ci/setup-deps.sh installs the Debian package"; \
    GTEST_SKIP() << "chromium not installed (apt-get install chromium); skipping the "  \
                    "browser tests";                                                    \
  }

struct Loaded {
  std::string dom;                  // document after scripts ran (--dump-dom)
  std::vector<std::string> leaked;  // URLs of requests the page started that are not file://
};

class ReportInBrowser : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    chromium_ = find_chromium();
    dir_ = new test::TempDir;
    const std::string model = dir_->file("tiny.gguf").string();
    generate_model(model, {.shape = "tiny", .quant = DType::q4_1, .seed = 4});
    const std::string plans = dir_->file("plans.txt").string();
    std::ofstream(plans) << "rmsnorm=cpu_lanes\n";
    const std::string db = dir_->file("results.db").string();
    const std::string b = test::swapbench_binary();
    const std::string sweep = b + " sweep --backend cpu -m '" + model +
                              "' --planner file --plans-file '" + plans +
                              "' -w tg6 --max-seconds 0.2 --db '" + db + "' ";
    const std::string tag_file = dir_->file("tag.txt").string();
    std::ofstream(tag_file) << kHostileTag;
    for (const std::string& cmd :
         {sweep + "--tag nightly", b + " baseline promote main --db '" + db + "'",
          sweep + "--tag \"$(cat '" + tag_file + "')\""}) {
      const auto r = run_command(cmd);
      if (r.exit_code != 0) ADD_FAILURE() << cmd << "\n" << r.err;
    }
    run_command(b + " gate --baseline main --db '" + db + "'");  // pass or regression: both shown
    site_ = dir_->path() / "site";
    const auto r = run_command(b + " report --db '" + db + "' -o '" + site_.string() + "'");
    if (r.exit_code != 0) ADD_FAILURE() << r.err;
  }
  static void TearDownTestSuite() { delete dir_; }

  // Loads a file in headless Chromium with a fresh profile and its net log on.
  static Loaded load(const fs::path& page) {
    static int n = 0;
    const fs::path log = dir_->file("net" + std::to_string(++n) + ".json");
    const fs::path profile = dir_->file("profile" + std::to_string(n));
    const std::string cmd =
        "'" + chromium_ +
        "' --headless --no-sandbox --disable-gpu --disable-background-networking "
        "--no-first-run --user-data-dir='" +
        profile.string() + "' --log-net-log='" + log.string() + "' --dump-dom 'file://" +
        fs::absolute(page).string() + "' 2>/dev/null";
    const auto r = run_command(cmd);
    EXPECT_EQ(r.exit_code, 0) << cmd;
    return {r.out, page_requests(log)};
  }

  // Requests the page started: URL_REQUEST_START_JOB events whose initiator is an origin (the
  // browser's own background requests have "not an origin") or whose isolation key is the
  // file:// page, and whose URL is not a file.
  static std::vector<std::string> page_requests(const fs::path& log) {
    std::vector<std::string> out;
    const nlohmann::json j = nlohmann::json::parse(slurp(log), nullptr, false);
    if (j.is_discarded() || !j.contains("events")) {
      ADD_FAILURE() << "unreadable net log " << log;
      return out;
    }
    const int start_job = j["constants"]["logEventTypes"].value("URL_REQUEST_START_JOB", -1);
    EXPECT_GE(start_job, 0) << "net log has no URL_REQUEST_START_JOB type";
    for (const auto& e : j["events"]) {
      if (e.value("type", -2) != start_job || !e.contains("params")) continue;
      const auto& p = e["params"];
      if (!p.contains("url")) continue;  // the job's end event carries no request
      const std::string url = p.value("url", ""), initiator = p.value("initiator", "");
      const std::string nik = p.value("network_isolation_key", "");
      const bool from_page =
          initiator != "not an origin" || nik.find("file://") != std::string::npos;
      if (from_page && url.rfind("file://", 0) != 0) out.push_back(url);
    }
    return out;
  }

  static std::string title(const std::string& dom) {
    std::smatch m;
    return std::regex_search(dom, m, std::regex("<title>([^<]*)</title>")) ? m[1].str() : "";
  }
  static size_t count(const std::string& s, const std::string& what) {
    size_t n = 0;
    for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
    return n;
  }
  static fs::path run_page(size_t which) {  // 0: newest
    std::vector<fs::path> runs;
    for (const auto& e : fs::directory_iterator(site_))
      if (e.path().filename().string().rfind("run-", 0) == 0) runs.push_back(e.path());
    EXPECT_EQ(runs.size(), 2u);
    // The index lists runs newest first: take the order from there.
    const std::string index = slurp(site_ / "index.html");
    std::sort(runs.begin(), runs.end(), [&](const fs::path& a, const fs::path& b) {
      return index.find(a.filename().string()) < index.find(b.filename().string());
    });
    return runs.at(which);
  }

  static inline std::string chromium_;
  static inline test::TempDir* dir_ = nullptr;
  static inline fs::path site_;
};

TEST_F(ReportInBrowser, EveryPageRunsItsOwnScriptAndNoRequestLeavesIt) {
  SB_REQUIRE_CHROMIUM();
  size_t pages = 0;
  for (const auto& e : fs::directory_iterator(site_)) {
    if (e.path().extension() != ".html") continue;
    const Loaded l = load(e.path());
    const std::string name = e.path().filename().string();
    EXPECT_NE(l.dom.find("data-js=\"ready\""), std::string::npos)
        << name << ": the page's script did not run (CSP hash or script error)";
    EXPECT_NE(l.dom.find("<table class=\"sortable\""), std::string::npos) << name;
    EXPECT_TRUE(l.leaked.empty()) << name << " requested " << l.leaked.front();
    EXPECT_EQ(title(l.dom).find(kMarker), std::string::npos) << name;
    EXPECT_NE(title(l.dom).find("swapbench"), std::string::npos) << name;
    EXPECT_EQ(count(l.dom, "<img"), 0u) << name;
    ++pages;
  }
  EXPECT_GE(pages, 8u);
}

TEST_F(ReportInBrowser, RunPageHoldsTheTrialsTableAndItsCharts) {
  SB_REQUIRE_CHROMIUM();
  const std::string dom = load(run_page(0)).dom;
  EXPECT_NE(dom.find("<table class=\"sortable\" id=\"trials\""), std::string::npos);
  EXPECT_EQ(count(dom, "<tr data-key="), 2u) << "reference and rmsnorm=cpu_lanes";
  EXPECT_EQ(count(dom, "<g class=\"bar\""), 2u) << "one bar per trial";
  EXPECT_EQ(count(dom, "class=\"whisker\""), 2u) << "one interval whisker per trial";
  EXPECT_GE(count(dom, "<rect class=\"seg\""), 10u) << "per-slot breakdown bars";
  EXPECT_NE(dom.find("fastest bitwise"), std::string::npos);
  EXPECT_NE(dom.find("class=\"badge b-good\">bitwise<"), std::string::npos);
}

TEST_F(ReportInBrowser, TrendsPageHoldsLinesBandsAndThePromotion) {
  SB_REQUIRE_CHROMIUM();
  const std::string dom = load(site_ / "trends.html").dom;
  EXPECT_NE(dom.find("id=\"series\""), std::string::npos);
  EXPECT_EQ(count(dom, "<path class=\"line\""), 2u) << "one series per plan";
  EXPECT_EQ(count(dom, "<path class=\"band\""), 2u);
  EXPECT_EQ(count(dom, "<g class=\"pt\""), 4u) << "two runs x two plans";
  EXPECT_EQ(count(dom, "<path class=\"promotion\""), 2u) << "the promoted run, on each series";
}

TEST_F(ReportInBrowser, IndexCompareAndSlotPagesHoldTheirTables) {
  SB_REQUIRE_CHROMIUM();
  const std::string index = load(site_ / "index.html").dom;
  EXPECT_EQ(count(index, "<tr data-run="), 2u);
  EXPECT_NE(load(site_ / "compare-1.html").dom.find("id=\"findings\""), std::string::npos);
  EXPECT_NE(load(site_ / "compare.html").dom.find("compare-1.html"), std::string::npos);
  const std::string slot = load(site_ / "slot-rmsnorm.html").dom;
  EXPECT_NE(slot.find("id=\"variants\""), std::string::npos);
  EXPECT_NE(slot.find("cpu_lanes"), std::string::npos);
}

TEST_F(ReportInBrowser, HostileTagIsShownAsTextAndNeverRuns) {
  SB_REQUIRE_CHROMIUM();
  for (const fs::path& p : {site_ / "index.html", run_page(0)}) {
    const Loaded l = load(p);
    EXPECT_EQ(title(l.dom).find(kMarker), std::string::npos) << p;
    // In the serialized DOM, text is escaped and elements are not: the payload must be text.
    EXPECT_NE(l.dom.find("&lt;script&gt;document.title='XSS-RAN'&lt;/script&gt;&lt;img src=x"),
              std::string::npos)
        << p;
    EXPECT_EQ(l.dom.find("<script>document.title"), std::string::npos) << p;
    EXPECT_EQ(count(l.dom, "<img"), 0u) << p;
  }
}

TEST_F(ReportInBrowser, ControlPagesShowTheChecksCatchAScriptThatRunsAndARequestThatLeaves) {
  SB_REQUIRE_CHROMIUM();
  const fs::path control = dir_->file("control.html");
  std::ofstream(control) << "<!DOCTYPE html><html><head><title>control</title></head><body>"
                            "<img src=\"http://127.0.0.1:9/leak.png\">"
                            "<script>document.title='XSS-RAN';fetch('http://127.0.0.1:9/fetch')"
                            ".catch(function(){});</script></body></html>";
  const Loaded l = load(control);
  EXPECT_EQ(title(l.dom), kMarker) << "a script that runs shows in the dumped DOM";
  std::string all;
  for (const std::string& u : l.leaked) all += u + " ";
  EXPECT_NE(all.find("http://127.0.0.1:9/leak.png"), std::string::npos) << all;
}

}  // namespace
}  // namespace swapbench
