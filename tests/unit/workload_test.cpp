// Workload names: tgN and tgN@ctxM parse, print back the same, and anything else is refused.
#include <gtest/gtest.h>

#include "runner/workload.h"

namespace swapbench {
namespace {

TEST(Workload, ParsesDecodeAndLongContextForms) {
  const Workload a = Workload::parse("tg128");
  EXPECT_EQ(a.tokens, 128);
  EXPECT_EQ(a.context, 0);
  const Workload b = Workload::parse("tg64@ctx4096");
  EXPECT_EQ(b.tokens, 64);
  EXPECT_EQ(b.context, 4096);
  EXPECT_EQ(b.name(), "tg64@ctx4096");
  EXPECT_EQ(Workload::parse(a.name()).name(), "tg128");
}

TEST(Workload, ParsesPromptProcessing) {
  const Workload p = Workload::parse("pp512");
  EXPECT_EQ(p.kind, Workload::Kind::pp);
  EXPECT_EQ(p.tokens, 512);
  EXPECT_EQ(p.context, 0);
  EXPECT_EQ(p.name(), "pp512");
}

TEST(Workload, RejectsUnknownForms) {
  for (const char* bad : {"", "tg", "tg0", "pp0", "pp512x", "pp5@ctx9", "tg12@ctx", "TG128",
                          "tg128@ctx-1"})
    EXPECT_THROW(Workload::parse(bad), std::invalid_argument) << bad;
}

}  // namespace
}  // namespace swapbench
