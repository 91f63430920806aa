// Which rows the float-path matvec kernels hold in registers across the grid wait
// (variants/matvec/matvec_kernels.cuh, PreloadedRows): smollm2's rows (576 and 1536 columns, 18
// and 48 blocks) at the rows per warp its plans use, never the 8B's 4096-column rows, never more
// than a tile, and nothing for blocks too wide for the register budget. Host-side: the kernels'
// results on those shapes are checked against the CPU reference by the correctness suite.
#include <gtest/gtest.h>

#include "variants/matvec/matvec_kernels.cuh"

namespace swapbench::mv {
namespace {

TEST(PreloadedRows, StepsFollowTheRegisterBudget) {
  EXPECT_EQ((preload_steps<DType::q4_1, 2>()), 2);  // attn_in/ffn_in.fused: 2 x 2 x 5 words
  EXPECT_EQ((preload_steps<DType::q4_1, 4>()), 2);  // matvec_residual.shuffle's default 4 rows
  EXPECT_EQ((preload_steps<DType::q4_0, 8>()), 1);
  EXPECT_EQ((preload_steps<DType::q8_0, 4>()), 1);  // 9 words a block
  EXPECT_EQ((preload_steps<DType::q8_0, 8>()), 0);
  EXPECT_EQ((preload_steps<DType::f16, 2>()), 1);
  EXPECT_EQ((preload_steps<DType::f32, 2>()), 0);  // 32 words a block
}

TEST(PreloadedRows, FitsShortRowsWithinOneTileOnly) {
  using Two = PreloadedRows<DType::q4_1, 2, 2>;
  EXPECT_TRUE(Two::fits(18, 128));   // smollm2 576 columns, v3 / fused tile of 4096 floats
  EXPECT_TRUE(Two::fits(48, 0));     // smollm2 ffn_down, x from global (shuffle)
  EXPECT_TRUE(Two::fits(64, 128));
  EXPECT_FALSE(Two::fits(65, 128));
  EXPECT_FALSE(Two::fits(128, 0));   // llama-8b 4096 columns keep the L2 prefetch
  EXPECT_FALSE(Two::fits(48, 32));   // more than v3_small's 32-block tile
  using One = PreloadedRows<DType::q8_0, 4, 1>;
  EXPECT_TRUE(One::fits(32, 0));
  EXPECT_FALSE(One::fits(33, 0));
  EXPECT_FALSE((PreloadedRows<DType::f32, 2, 0>::fits(1, 0)));
}

}  // namespace
}  // namespace swapbench::mv
