// Plans: parsing, canonical text, and resolution against the registry (names, backends,
// parameters, shapes), with the error messages a user sees.
#include <gtest/gtest.h>

#include "runner/plan.h"

namespace swapbench {
namespace {

TEST(PlanParse, EmptyAndReferenceTextMeanTheReferencePlan) {
  EXPECT_TRUE(Plan::parse("").entries.empty());
  EXPECT_TRUE(Plan::parse("reference").entries.empty());
}

TEST(PlanParse, ReadsSlotsVariantsAndParameters) {
  const Plan p = Plan::parse(" rmsnorm=warp_shuffle , matvec.q4_1=v3_small[warps=4;x=2]");
  ASSERT_EQ(p.entries.size(), 2u);
  EXPECT_EQ(p.entries.at("rmsnorm").variant, "warp_shuffle");
  EXPECT_EQ(p.entries.at("matvec.q4_1").variant, "v3_small");
  EXPECT_EQ(p.entries.at("matvec.q4_1").params.at("warps"), 4);
  EXPECT_EQ(p.entries.at("matvec.q4_1").params.at("x"), 2);
  EXPECT_EQ(p.to_string(), "matvec.q4_1=v3_small[warps=4;x=2],rmsnorm=warp_shuffle");
  EXPECT_EQ(Plan::parse(p.to_string()).to_string(), p.to_string());
}

TEST(PlanParse, RejectsMalformedItems) {
  EXPECT_THROW(Plan::parse("rmsnorm"), PlanError);
  EXPECT_THROW(Plan::parse("=serial"), PlanError);
  EXPECT_THROW(Plan::parse("rmsnorm="), PlanError);
  EXPECT_THROW(Plan::parse("rmsnorm=a,rmsnorm=b"), PlanError);
  EXPECT_THROW(Plan::parse("matvec.q4_1=v3[warps=four]"), PlanError);
  EXPECT_THROW(Plan::parse("matvec.q4_1=v3[warps=4"), PlanError);
}

std::string plan_error(const std::string& text, Backend b) {
  try {
    Bindings bindings(Plan::parse(text), b);
  } catch (const PlanError& e) {
    return e.what();
  }
  return "";
}

TEST(PlanResolve, UnknownSlotListsTheValidSlots) {
  const std::string msg = plan_error("rmsnrom=cpu_ref", Backend::cpu);
  EXPECT_NE(msg.find("unknown slot 'rmsnrom'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("rmsnorm"), std::string::npos) << msg;
  EXPECT_NE(msg.find("matvec.q4_1"), std::string::npos) << msg;
}

TEST(PlanResolve, UnknownVariantListsTheSlotsVariants) {
  const std::string msg = plan_error("rmsnorm=fastest", Backend::cpu);
  EXPECT_NE(msg.find("unknown variant 'fastest'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("cpu_lanes"), std::string::npos) << msg;
  EXPECT_NE(msg.find("cpu_ref"), std::string::npos) << msg;
}

TEST(PlanResolve, UnknownParameterIsRejected) {
  const std::string msg = plan_error("rmsnorm=cpu_lanes[warps=4]", Backend::cpu);
  EXPECT_NE(msg.find("no parameter 'warps'"), std::string::npos) << msg;
}

TEST(PlanResolve, UnnamedSlotsBindTheirBackendReference) {
  Bindings b(Plan::parse("rmsnorm=cpu_lanes"), Backend::cpu);
  EXPECT_EQ(b.bind("rmsnorm", {.cols = 64}).variant->info.name, "cpu_lanes");
  EXPECT_EQ(b.bind("swiglu", {.cols = 64}).variant->info.name, "cpu_ref");
  EXPECT_NO_THROW(b.check());
  EXPECT_EQ(b.chosen().at("rmsnorm"), "cpu_lanes");
}

TEST(PlanResolve, FamilyKeyCoversEveryTypeThatHasTheVariant) {
  Bindings b(Plan::parse("matvec=cpu_ref"), Backend::cpu);
  EXPECT_EQ(b.bind("matvec.q8_0", {.rows = 4, .cols = 32}).variant->info.name, "cpu_ref");
  EXPECT_EQ(b.bind("matvec.f16", {.rows = 4, .cols = 32}).variant->info.name, "cpu_ref");
}

TEST(PlanResolve, VariantThatDoesNotApplyIsReportedWithTheShape) {
  // A test-only variant refusing wide rows and declaring no fallback.
  static bool registered = [] {
    register_variant<int>(
        {.slot = "swiglu",
         .name = "test_narrow",
         .backend = Backend::cpu,
         .equality = Equality::bitwise,
         .applies = [](const Shape& s) { return require(s.cols <= 16, "needs cols <= 16"); },
         .test_only = true},
        +[](const int&, const LaunchCtx&) {});
    return true;
  }();
  ASSERT_TRUE(registered);
  Bindings b(Plan::parse("swiglu=test_narrow"), Backend::cpu);
  b.bind("swiglu", {.cols = 8});
  EXPECT_NO_THROW(b.check());
  b.bind("swiglu", {.cols = 1536});
  try {
    b.check();
    FAIL() << "check() accepted a shape the variant refuses";
  } catch (const PlanError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("swiglu.test_narrow cannot run at cols=1536"), std::string::npos) << msg;
    EXPECT_NE(msg.find("needs cols <= 16"), std::string::npos) << msg;
  }
}

TEST(PlanResolve, FallbackIsUsedAndRecordedWhereTheVariantDoesNotApply) {
  static bool registered = [] {
    register_variant<int>(
        {.slot = "argmax",
         .name = "test_small",
         .backend = Backend::cpu,
         .equality = Equality::bitwise,
         .applies = [](const Shape& s) { return require(s.cols <= 100, "needs cols <= 100"); },
         .fallback = "cpu_ref",
         .test_only = true},
        +[](const int&, const LaunchCtx&) {});
    return true;
  }();
  ASSERT_TRUE(registered);
  Bindings b(Plan::parse("argmax=test_small"), Backend::cpu);
  EXPECT_EQ(b.bind("argmax", {.cols = 50}).variant->info.name, "test_small");
  const Binding& wide = b.bind("argmax", {.cols = 49152});
  EXPECT_TRUE(wide.fell_back);
  EXPECT_EQ(wide.variant->info.name, "cpu_ref");
  EXPECT_NO_THROW(b.check());
  ASSERT_EQ(b.fallbacks().size(), 1u);
  EXPECT_EQ(b.fallbacks()[0], "argmax test_small->cpu_ref at cols=49152");
}

TEST(PlanResolve, EntriesNoCallSiteTookAreListedAsUnused) {
  Bindings b(Plan::parse("matvec=cpu_ref,matvec.f16=cpu_ref,rmsnorm=cpu_lanes,swiglu=cpu_ref"),
             Backend::cpu);
  b.bind("matvec.q8_0", {.rows = 4, .cols = 32});  // takes the family entry, not matvec.f16's
  b.bind("rmsnorm", {.cols = 64});
  EXPECT_EQ(b.unused(), (std::vector<std::string>{"matvec.f16=cpu_ref", "swiglu=cpu_ref"}));
  b.bind("swiglu", {.cols = 64});
  EXPECT_EQ(b.unused(), std::vector<std::string>{"matvec.f16=cpu_ref"});
  EXPECT_NO_THROW(b.check());  // unused entries are not an error: the plan runs without them
  // Parameters stay in the entry's text, so the user sees exactly what was ignored.
  Bindings p(Plan::parse("argmax=cpu_ref,matvec.q4_0=cpu_ref"), Backend::cpu);
  p.bind("argmax", {.cols = 96});
  EXPECT_EQ(p.unused(), std::vector<std::string>{"matvec.q4_0=cpu_ref"});
}

}  // namespace
}  // namespace swapbench
