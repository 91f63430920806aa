// The equality ladder on crafted logits: each class is reached exactly when it should be, the
// first diverging step is named, and ULP distances behave at signs, zeros and NaN.
#include <gtest/gtest.h>

#include <cmath>

#include "harness/equality.h"

namespace swapbench::equality {
namespace {

std::vector<Step> trace(std::vector<int32_t> tokens, std::vector<std::vector<float>> logits) {
  std::vector<Step> s;
  for (size_t i = 0; i < tokens.size(); ++i)
    s.push_back({tokens[i], i < logits.size() ? logits[i] : std::vector<float>{}});
  return s;
}

const std::vector<float> kA{1.5f, -2.25f, 3.0f, 0.125f};

TEST(Ulp, DistanceCountsRepresentableStepsAcrossZero) {
  EXPECT_EQ(ulp_distance(1.0f, 1.0f), 0u);
  EXPECT_EQ(ulp_distance(1.0f, std::nextafter(1.0f, 2.0f)), 1u);
  EXPECT_EQ(ulp_distance(0.0f, -0.0f), 0u);
  EXPECT_EQ(ulp_distance(-std::numeric_limits<float>::denorm_min(),
                         std::numeric_limits<float>::denorm_min()), 2u);
  EXPECT_EQ(ulp_distance(NAN, 1.0f), std::numeric_limits<uint64_t>::max());
}

TEST(Fingerprint, ChangesWithAnyBit) {
  std::vector<float> b = kA;
  EXPECT_EQ(fingerprint(kA.data(), kA.size()), fingerprint(b.data(), b.size()));
  b[2] = std::nextafter(b[2], 10.0f);
  EXPECT_NE(fingerprint(kA.data(), kA.size()), fingerprint(b.data(), b.size()));
}

TEST(Ladder, IdenticalBytesAreBitwise) {
  const Verdict v = classify(trace({1, 2}, {kA, kA}), trace({1, 2}, {kA, kA}));
  EXPECT_EQ(v.cls, Class::bitwise);
  EXPECT_EQ(v.text(), "bitwise");
}

TEST(Ladder, AFewUlpsAreUlpWithTheirCount) {
  std::vector<float> b = kA;
  b[0] = std::nextafter(std::nextafter(b[0], 9.0f), 9.0f);  // 2 ulp
  const Verdict v = classify(trace({1}, {b}), trace({1}, {kA}));
  EXPECT_EQ(v.cls, Class::ulp);
  EXPECT_EQ(v.ulp, 2u);
  EXPECT_EQ(v.text(), "ulp<=2");
}

TEST(Ladder, SmallRelativeErrorBeyondUlpsIsNmse) {
  std::vector<float> b = kA;
  b[2] *= 1.0001f;  // far more than 64 ulp, NMSE ~ 9e-9 * 9 / 16.6
  const Verdict v = classify(trace({1}, {b}), trace({1}, {kA}));
  EXPECT_EQ(v.cls, Class::nmse);
  EXPECT_LT(v.nmse, 1e-6);
  EXPECT_EQ(v.text().rfind("nmse<=", 0), 0u);
}

TEST(Ladder, LargeErrorWithTheSameArgmaxIsTop1) {
  std::vector<float> b = kA;
  b[1] = 0.0f;  // NMSE ~ 0.3, argmax (index 2) unchanged, same tokens
  EXPECT_EQ(classify(trace({1}, {b}), trace({1}, {kA})).cls, Class::top1);
}

TEST(Ladder, SameTokensWithoutLogitsAreGreedy) {
  EXPECT_EQ(classify(trace({4, 5, 6}, {}), trace({4, 5, 6}, {})).cls, Class::greedy);
}

TEST(Ladder, FirstDifferentTokenNamesTheDivergingStep) {
  const Verdict v = classify(trace({4, 5, 7, 8}, {}), trace({4, 5, 6, 8}, {}));
  EXPECT_EQ(v.cls, Class::diverged);
  EXPECT_EQ(v.first_step, 2);
  EXPECT_EQ(v.text(), "diverged@2");
  EXPECT_FALSE(v.satisfies_bitwise());
}

}  // namespace
}  // namespace swapbench::equality
