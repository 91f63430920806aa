// The report library on hand-made databases: escaping, the CSP hash (SHA-256 test vectors),
// the divergence page naming the first differing step and, from taps, slot and layer, and
// the empty database.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "baselines/store.h"
#include "reports/html.h"
#include "reports/sha256.h"
#include "reports/site.h"
#include "support/test_support.h"

namespace swapbench {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  const auto b = test::read_bytes(p);
  return {b.begin(), b.end()};
}

nlohmann::json tap(int step, int layer, const char* site, const char* slot, const char* variant,
                   const char* hash, double sum) {
  return {step, layer, site, slot, variant, hash, sum, sum * sum, 1.0, 0};
}

nlohmann::json trial(const std::string& plan, const std::string& equality,
                     const std::vector<std::string>& fingerprints, const nlohmann::json& taps) {
  return {{"spec", {{"plan", plan}, {"workload", "tg3"}, {"graphs", false}, {"backend", "cpu"}}},
          {"status", "ok"},
          {"equality", equality},
          {"samples_ms", {1.0, 1.1, 0.9}},
          {"summary", {{"n", 3}, {"median_ms", 1.0}, {"ci_lo_ms", 0.9}, {"ci_hi_ms", 1.1}}},
          {"tokens_per_second", 1000.0},
          {"fingerprints", fingerprints},
          {"taps", taps}};
}

TEST(ReportHtml, EscapesEveryMarkupCharacter) {
  EXPECT_EQ(report::esc("<a href=\"x\" onerror='y'>&</a>"),
            "&lt;a href=&quot;x&quot; onerror=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  EXPECT_EQ(report::esc("rmsnorm=cpu_lanes"), "rmsnorm=cpu_lanes");
}

TEST(ReportHtml, Sha256MatchesTheFipsVectorsSoTheCspHashIsRight) {
  const auto a = report::sha256("abc");
  EXPECT_EQ(report::base64(a.data(), a.size()), "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
  const auto e = report::sha256("");
  EXPECT_EQ(report::base64(e.data(), e.size()), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  const auto two = report::sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq");
  EXPECT_EQ(report::base64(two.data(), two.size()), "JI1qYdIGOLjlwCaTDD5gOaM85Flk/yFn9uzt1BnbBsE=");
}

TEST(ReportDivergence, NamesTheFirstDifferingStepAndFromTapsTheSlotAndLayer) {
  test::TempDir dir;
  const std::string path = dir.file("t.db").string();
  {
    store::Store db = store::Store::open(path);
    store::RunInfo run;
    run.uuid = db.new_uuid();
    run.tag = "unit";
    db.begin_run(run);
    const nlohmann::json ref_taps = {tap(0, 0, "attn_norm", "rmsnorm", "cpu_ref", "11", 1.0),
                                     tap(1, 0, "attn_norm", "rmsnorm", "cpu_ref", "12", 2.0),
                                     tap(1, 1, "attn_norm", "rmsnorm", "cpu_ref", "13", 3.0)};
    const nlohmann::json taps = {tap(0, 0, "attn_norm", "rmsnorm", "cpu_lanes", "11", 1.0),
                                 tap(1, 0, "attn_norm", "rmsnorm", "cpu_lanes", "99", 2.5),
                                 tap(1, 1, "attn_norm", "rmsnorm", "cpu_lanes", "98", 3.5)};
    db.add_trial(run.uuid, "", "", trial("", "bitwise", {"aa", "bb", "cc"}, ref_taps));
    db.add_trial(run.uuid, "", "",
                 trial("rmsnorm=cpu_lanes", "nmse<=1e-9", {"aa", "bx", "cx"}, taps));
    db.add_trial(run.uuid, "", "",
                 trial("rope=x", "top1", {"ax", "bx", "cx"}, nlohmann::json::array()));
    db.finish_run(run.uuid, "complete");
  }
  const store::Store db = store::Store::open_read_only(path);
  const report::Written w = report::write_site(db, dir.path() / "site");
  const std::string with_taps = slurp(dir.path() / "site" / report::divergence_file(2));
  EXPECT_NE(with_taps.find("First step whose logits differ: <b>step 1</b>"), std::string::npos);
  EXPECT_NE(with_taps.find("<b>step 1, layer 0, attn_norm (rmsnorm)</b>"), std::string::npos)
      << with_taps;
  const std::string no_taps = slurp(dir.path() / "site" / report::divergence_file(3));
  EXPECT_NE(no_taps.find("<b>step 0</b>"), std::string::npos);
  EXPECT_NE(no_taps.find("No taps were recorded for this trial"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir.path() / "site" / report::divergence_file(1))) << "bitwise";
  EXPECT_NE(slurp(w.summary).find("`rope=x`"), std::string::npos);
}

// The trials table's roofline cell: tok/s x weight bytes per token over the stream read the
// sweep measured (spec.peak_gbps); a trial without that measurement (CPU) shows a dash.
TEST(ReportRunPage, ShowsTheRooflineShareWhereTheBandwidthWasMeasured) {
  test::TempDir dir;
  const std::string path = dir.file("r.db").string();
  std::string uuid;
  {
    store::Store db = store::Store::open(path);
    store::RunInfo run;
    run.uuid = uuid = db.new_uuid();
    db.begin_run(run);
    nlohmann::json gpu = trial("", "bitwise", {"aa"}, nlohmann::json::array());
    gpu["spec"]["backend"] = "cuda";
    gpu["spec"]["peak_gbps"] = 4000.0;
    gpu["weight_bytes_per_token"] = 1.5e9;  // 1000 tok/s x 1.5 GB = 1500 GB/s: 37.5%
    db.add_trial(run.uuid, "", "", gpu);
    nlohmann::json cpu = trial("rmsnorm=cpu_lanes", "bitwise", {"aa"}, nlohmann::json::array());
    cpu["weight_bytes_per_token"] = 1.5e9;  // no peak_gbps: the CPU backend measures none
    db.add_trial(run.uuid, "", "", cpu);
    db.finish_run(run.uuid, "complete");
  }
  report::write_site(store::Store::open_read_only(path), dir.path() / "site");
  const std::string page = slurp(dir.path() / "site" / report::run_file(uuid));
  EXPECT_NE(page.find(">roofline<"), std::string::npos) << "the column's header";
  EXPECT_NE(page.find("class=\"num roofline\" data-v=\"37.5\">37.5%<"), std::string::npos) << page;
  EXPECT_NE(page.find("class=\"num roofline note\" data-v=\"0\">–<"), std::string::npos);
}

// The provenance's host launch row: the dependent node and the graphs on/off ceiling it sets
// (eager launch over dependent node) where device-info measured it; neither for an older run.
TEST(ReportRunPage, ShowsTheDependentNodeAndTheGraphsCeilingWhereMeasured) {
  test::TempDir dir;
  const std::string path = dir.file("r.db").string();
  std::string measured, unmeasured;
  {
    store::Store db = store::Store::open(path);
    store::RunInfo run;
    run.launch_us = 4.6;
    run.graph_node_us = 0.5;
    run.uuid = unmeasured = db.new_uuid();
    db.begin_run(run);
    run.chain_node_us = 2.0;  // 4.6 / 2.0: a ceiling of 2.30
    run.uuid = measured = db.new_uuid();
    db.begin_run(run);
  }
  report::write_site(store::Store::open_read_only(path), dir.path() / "site");
  const std::string page = slurp(dir.path() / "site" / report::run_file(measured));
  EXPECT_NE(page.find("4.60 us eager, 0.50 us graph node, 2.00 us dependent node (graphs on/off "
                      "ceiling 2.30)"),
            std::string::npos)
      << page;
  const std::string old = slurp(dir.path() / "site" / report::run_file(unmeasured));
  EXPECT_NE(old.find("4.60 us eager, 0.50 us graph node<"), std::string::npos) << old;
  EXPECT_EQ(old.find("dependent node"), std::string::npos);
  EXPECT_EQ(old.find("ceiling"), std::string::npos);
}

TEST(ReportLibrary, AnEmptyDatabaseGivesAnIndexThatSaysSo) {
  test::TempDir dir;
  const std::string path = dir.file("empty.db").string();
  store::Store::open(path);
  const report::Written w =
      report::write_site(store::Store::open_read_only(path), dir.path() / "s");
  EXPECT_NE(slurp(w.index).find("No runs yet"), std::string::npos);
  EXPECT_NE(slurp(w.summary).find("No runs"), std::string::npos);
}

TEST(ReportLibrary, ReadOnlyStoreRefusesToWrite) {
  test::TempDir dir;
  const std::string path = dir.file("ro.db").string();
  store::Store::open(path);
  store::Store ro = store::Store::open_read_only(path);
  store::RunInfo run;
  run.uuid = ro.new_uuid();
  EXPECT_THROW(ro.begin_run(run), store::Error);
}

}  // namespace
}  // namespace swapbench
