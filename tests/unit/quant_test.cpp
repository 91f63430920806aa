// Tests of the quant blocks and fp16/bf16 conversions: hand-computed blocks, edge values, bounds.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <vector>

#include "kernels/common/quant.h"
#include "kernels/common/quant_cpu.h"
#include "support/test_support.h"

namespace swapbench {
namespace {

// x[j] = j - 15.5: symmetric, no zero, every quant step exercised.
std::vector<float> ramp() {
  std::vector<float> x(kQK);
  for (int j = 0; j < kQK; ++j) x[j] = static_cast<float>(j) - 15.5f;
  return x;
}

template <typename Block>
std::vector<uint8_t> quantize_bytes(DType t, const std::vector<float>& x) {
  std::vector<uint8_t> out(x.size() / kQK * sizeof(Block));
  quantize_row(t, x.data(), out.data(), static_cast<int64_t>(x.size()));
  return out;
}

TEST(Quant, Q8_0BlockOfRampMatchesHandComputedBytes) {
  // amax = 15.5, d = 15.5/127 = 0.12205 -> fp16 0x2fd0 (= 125/1024); q = round((j-15.5)*127/15.5).
  const std::vector<uint8_t> expected = {
      0xd0, 0x2f,                                      // d
      0x81, 0x89, 0x91, 0x9a, 0xa2, 0xaa, 0xb2, 0xba,  // -127 -119 -111 -102 -94 -86 -78 -70
      0xc3, 0xcb, 0xd3, 0xdb, 0xe3, 0xec, 0xf4, 0xfc,  // -61 -53 -45 -37 -29 -20 -12 -4
      0x04, 0x0c, 0x14, 0x1d, 0x25, 0x2d, 0x35, 0x3d,  // 4 12 20 29 37 45 53 61
      0x46, 0x4e, 0x56, 0x5e, 0x66, 0x6f, 0x77, 0x7f,  // 70 78 86 94 102 111 119 127
  };
  EXPECT_EQ(quantize_bytes<block_q8_0>(DType::q8_0, ramp()), expected);

  std::vector<float> y(kQK);
  dequantize_row(DType::q8_0, expected.data(), y.data(), kQK);
  EXPECT_EQ(y[0], -15.5029296875f);  // -127 * 125/1024, exact
  EXPECT_EQ(y[31], 15.5029296875f);
  EXPECT_EQ(y[15], -0.48828125f);  // -4 * 125/1024
  for (int j = 0; j < kQK; ++j)
    EXPECT_EQ(y[j], static_cast<float>(static_cast<int8_t>(expected[2 + j])) * 0.1220703125f);
}

TEST(Quant, Q4_0BlockOfRampMatchesHandComputedBytes) {
  // The first value of largest magnitude is -15.5, so d = -15.5/-8 = 1.9375 (fp16 0x3fc0) and
  // q = min(15, int(x/1.9375 + 8.5)): x=-15.5 -> 0, x=15.5 -> 16 clamped to 15.
  // qs[j] holds element j in the low nibble and element j+16 in the high one.
  const std::vector<uint8_t> expected = {
      0xc0, 0x3f,                                      // d
      0x80, 0x91, 0x91, 0xa2, 0xa2, 0xb3, 0xb3, 0xc4,  // (lo, hi) = (0,8) (1,9) (1,9) (2,10)...
      0xc4, 0xd5, 0xd5, 0xe6, 0xe6, 0xf7, 0xf7, 0xf8,  // ... (7,15) (8,15)
  };
  EXPECT_EQ(quantize_bytes<block_q4_0>(DType::q4_0, ramp()), expected);

  std::vector<float> y(kQK);
  dequantize_row(DType::q4_0, expected.data(), y.data(), kQK);
  EXPECT_EQ(y[0], -15.5f);    // (0 - 8) * 1.9375
  EXPECT_EQ(y[15], 0.0f);     // (8 - 8) * 1.9375
  EXPECT_EQ(y[16], 0.0f);     // high nibble of qs[0]
  EXPECT_EQ(y[30], 13.5625f);  // (15 - 8) * 1.9375
  EXPECT_EQ(y[31], 13.5625f);  // clamped
}

TEST(Quant, Q4_1BlockOfRampMatchesHandComputedBytes) {
  // min = -15.5 (fp16 0xcbc0), d = 31/15 = 2.0667 -> fp16 0x4022 (= 2.06640625);
  // q = int((x + 15.5) * 15/31 + 0.5) = int(j * 15/31 + 0.5).
  const std::vector<uint8_t> expected = {
      0x22, 0x40, 0xc0, 0xcb,                          // d, m
      0x80, 0x80, 0x91, 0x91, 0xa2, 0xa2, 0xb3, 0xb3,  // (lo, hi) = (0,8) (0,8) (1,9) ...
      0xc4, 0xc4, 0xd5, 0xd5, 0xe6, 0xe6, 0xf7, 0xf7,  // ... (7,15) (7,15)
  };
  EXPECT_EQ(quantize_bytes<block_q4_1>(DType::q4_1, ramp()), expected);

  std::vector<float> y(kQK);
  dequantize_row(DType::q4_1, expected.data(), y.data(), kQK);
  EXPECT_EQ(y[0], -15.5f);         // 0 * d + m
  EXPECT_EQ(y[16], 1.03125f);      // 8 * 2.06640625 - 15.5
  EXPECT_EQ(y[31], 15.49609375f);  // 15 * 2.06640625 - 15.5
}

TEST(Quant, ElementHelpersAgreeWithRowDequantize) {
  const auto x = test::random_floats(kQK, 7, -3.0f, 5.0f);
  block_q8_0 b8;
  block_q4_0 b40;
  block_q4_1 b41;
  quantize_row(DType::q8_0, x.data(), &b8, kQK);
  quantize_row(DType::q4_0, x.data(), &b40, kQK);
  quantize_row(DType::q4_1, x.data(), &b41, kQK);
  std::vector<float> y8(kQK), y40(kQK), y41(kQK);
  dequantize_row(DType::q8_0, &b8, y8.data(), kQK);
  dequantize_row(DType::q4_0, &b40, y40.data(), kQK);
  dequantize_row(DType::q4_1, &b41, y41.data(), kQK);
  for (int j = 0; j < kQK; ++j) {
    EXPECT_EQ(dequant_q8_0(b8, j), y8[j]);
    EXPECT_EQ(dequant_q4_0(b40, j), y40[j]);
    EXPECT_EQ(dequant_q4_1(b41, j), y41[j]);
  }
}

TEST(Fp16, EdgeValuesConvertExactly) {
  EXPECT_EQ(f32_to_fp16(0.0f), 0x0000);
  EXPECT_EQ(f32_to_fp16(-0.0f), 0x8000);
  EXPECT_EQ(f32_to_fp16(1.0f), 0x3c00);
  EXPECT_EQ(f32_to_fp16(-2.0f), 0xc000);
  EXPECT_EQ(f32_to_fp16(65504.0f), 0x7bff);           // largest finite half
  EXPECT_EQ(f32_to_fp16(65519.99f), 0x7bff);          // just below the tie
  EXPECT_EQ(f32_to_fp16(65520.0f), 0x7c00);           // tie rounds to even = inf
  EXPECT_EQ(f32_to_fp16(1e10f), 0x7c00);
  EXPECT_EQ(f32_to_fp16(-std::numeric_limits<float>::infinity()), 0xfc00);
  EXPECT_EQ(f32_to_fp16(std::ldexp(1.0f, -24)), 0x0001);  // 5.96e-8, smallest subnormal
  EXPECT_EQ(f32_to_fp16(std::ldexp(1.0f, -25)), 0x0000);  // tie with 0 -> even
  EXPECT_EQ(f32_to_fp16(std::nextafter(std::ldexp(1.0f, -25), 1.0f)), 0x0001);
  EXPECT_EQ(f32_to_fp16(std::ldexp(3.0f, -25)), 0x0002);  // 1.5 units: tie -> even 2
  EXPECT_EQ(f32_to_fp16(std::ldexp(1023.0f, -24)), 0x03ff);  // largest subnormal
  EXPECT_EQ(f32_to_fp16(std::ldexp(2047.0f, -25)), 0x0400);  // rounds up into the normals
  EXPECT_EQ(f32_to_fp16(std::ldexp(1.0f, -14)), 0x0400);     // smallest normal
  EXPECT_EQ(f32_to_fp16(1.0f + std::ldexp(1.0f, -11)), 0x3c00);  // tie -> even mantissa 0
  EXPECT_EQ(f32_to_fp16(1.0f + std::ldexp(3.0f, -11)), 0x3c02);  // tie -> even mantissa 2
  EXPECT_EQ(f32_to_fp16(std::numeric_limits<float>::denorm_min()), 0x0000);

  const uint16_t nan = f32_to_fp16(std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(nan & 0x7c00, 0x7c00);
  EXPECT_NE(nan & 0x03ff, 0);
  EXPECT_TRUE(std::isnan(fp16_to_f32(nan)));

  EXPECT_EQ(fp16_to_f32(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(fp16_to_f32(0x03ff), std::ldexp(1023.0f, -24));
  EXPECT_EQ(fp16_to_f32(0x7bff), 65504.0f);
  EXPECT_EQ(fp16_to_f32(0x7c00), std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::signbit(fp16_to_f32(0x8000)));
}

TEST(Fp16, EveryHalfRoundTripsThroughFloat) {
  for (uint32_t h = 0; h <= 0xffff; ++h) {
    const float f = fp16_to_f32(static_cast<uint16_t>(h));
    if (std::isnan(f)) continue;
    ASSERT_EQ(f32_to_fp16(f), h) << "half 0x" << std::hex << h;
  }
}

#if defined(__FLT16_MAX__)
TEST(Fp16, AgreesWithCompilerConversionOnRandomBitPatterns) {
  // libgcc's _Float16 conversion is an independent IEEE round-to-nearest-even implementation.
  std::mt19937 rng(1234);
  for (int i = 0; i < 2'000'000; ++i) {
    // Mostly in and around the half range, where rounding is interesting.
    const auto r0 = static_cast<uint32_t>(rng());
    const auto r1 = static_cast<uint32_t>(rng());
    const uint32_t bits = (r0 & 0x80000000u) | (0x30000000u + r1 % 0x18000000u);
    float f;
    std::memcpy(&f, &bits, sizeof f);
    const _Float16 h = static_cast<_Float16>(f);
    uint16_t hb;
    std::memcpy(&hb, &h, sizeof hb);
    ASSERT_EQ(f32_to_fp16(f), hb) << "f32 bits 0x" << std::hex << bits;
  }
}
#endif

TEST(Bf16, RoundsToNearestEvenAndKeepsNan) {
  auto from_bits = [](uint32_t u) {
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
  };
  EXPECT_EQ(f32_to_bf16(1.0f), 0x3f80);
  EXPECT_EQ(f32_to_bf16(from_bits(0x3f808000u)), 0x3f80);  // tie -> even
  EXPECT_EQ(f32_to_bf16(from_bits(0x3f818000u)), 0x3f82);  // tie -> even
  EXPECT_EQ(f32_to_bf16(from_bits(0x3f808001u)), 0x3f81);
  EXPECT_EQ(f32_to_bf16(-0.0f), 0x8000);
  EXPECT_TRUE(std::isnan(bf16_to_f32(f32_to_bf16(std::numeric_limits<float>::quiet_NaN()))));
  EXPECT_EQ(bf16_to_f32(0x4049), 3.140625f);
}

// Quantize -> dequantize error stays within what each format's step size allows.
class QuantRoundTrip : public ::testing::Test {
 protected:
  static constexpr int64_t kN = kQK * 256;
  std::vector<float> x_ = test::random_floats(kN, 42, -2.0f, 3.0f);
  std::vector<float> y_ = std::vector<float>(kN);
};

TEST_F(QuantRoundTrip, Q8_0ErrorIsAtMostHalfAStep) {
  std::vector<block_q8_0> b(kN / kQK);
  quantize_row(DType::q8_0, x_.data(), b.data(), kN);
  dequantize_row(DType::q8_0, b.data(), y_.data(), kN);
  for (int64_t i = 0; i < kN; ++i) {
    const float d = fp16_to_f32(b[i / kQK].d);
    // d/2 from rounding q, plus up to 127 times the fp16 rounding of d (relative 2^-11).
    ASSERT_LE(std::fabs(x_[i] - y_[i]), d * (0.5f + 127.0f / 2048.0f) + 1e-6f) << i;
  }
}

TEST_F(QuantRoundTrip, Q4_0ErrorIsAtMostOneStep) {
  std::vector<block_q4_0> b(kN / kQK);
  quantize_row(DType::q4_0, x_.data(), b.data(), kN);
  dequantize_row(DType::q4_0, b.data(), y_.data(), kN);
  for (int64_t i = 0; i < kN; ++i) {
    const float d = std::fabs(fp16_to_f32(b[i / kQK].d));
    // Half a step, except +8 steps clamps to +7: a full step on the side opposite the maximum.
    ASSERT_LE(std::fabs(x_[i] - y_[i]), d * (1.0f + 8.0f / 2048.0f) + 1e-6f) << i;
  }
}

TEST_F(QuantRoundTrip, Q4_1ErrorIsAtMostHalfAStep) {
  std::vector<block_q4_1> b(kN / kQK);
  quantize_row(DType::q4_1, x_.data(), b.data(), kN);
  dequantize_row(DType::q4_1, b.data(), y_.data(), kN);
  for (int64_t i = 0; i < kN; ++i) {
    const float d = fp16_to_f32(b[i / kQK].d);
    const float m = fp16_to_f32(b[i / kQK].m);
    const float bound = d * (0.5f + 15.0f / 2048.0f) + std::fabs(m) / 2048.0f + 1e-6f;
    ASSERT_LE(std::fabs(x_[i] - y_[i]), bound) << i;
  }
}

TEST_F(QuantRoundTrip, F16AndBf16ErrorsAreWithinHalfAnUlp) {
  std::vector<uint16_t> h(kN);
  quantize_row(DType::f16, x_.data(), h.data(), kN);
  dequantize_row(DType::f16, h.data(), y_.data(), kN);
  for (int64_t i = 0; i < kN; ++i)
    ASSERT_LE(std::fabs(x_[i] - y_[i]), std::fabs(x_[i]) / 2048.0f + 3e-8f) << i;
  quantize_row(DType::bf16, x_.data(), h.data(), kN);
  dequantize_row(DType::bf16, h.data(), y_.data(), kN);
  for (int64_t i = 0; i < kN; ++i)
    ASSERT_LE(std::fabs(x_[i] - y_[i]), std::fabs(x_[i]) / 256.0f) << i;
}

TEST_F(QuantRoundTrip, F32IsACopy) {
  std::vector<float> raw(kN);
  quantize_row(DType::f32, x_.data(), raw.data(), kN);
  dequantize_row(DType::f32, raw.data(), y_.data(), kN);
  EXPECT_EQ(x_, y_);
}

TEST(Quant, RejectsPartialBlocksAndUndecodableTypesNamingTheType) {
  std::vector<float> x(64, 1.0f);
  std::vector<uint8_t> out(1024);
  try {
    quantize_row(DType::q4_0, x.data(), out.data(), 33);
    FAIL() << "expected invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("q4_0"), std::string::npos) << e.what();
  }
  try {
    dequantize_row(DType::q6_k, out.data(), x.data(), 256);
    FAIL() << "expected invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("q6_k"), std::string::npos) << e.what();
  }
  EXPECT_THROW(dequantize_row(static_cast<DType>(99), out.data(), x.data(), 32),
               std::invalid_argument);
}

}  // namespace
}  // namespace swapbench
