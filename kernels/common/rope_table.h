// The rope table: for every position p < positions and pair j < rot_dim / 2, the cosine and
// sine of rope's angle for the pair at index 2j (kernels/common/rope.cuh, rope_angle), bit for
// bit, at table[p * rot_dim + 2j] and [p * rot_dim + 2j + 1]: rot_dim floats per position.
//
// Why: powf and sincosf after a fused kernel's sums took ~0.5 us on the path from attn_in's
// sums to attention's start (H200, smollm2, seventeenth session). The angle depends only on the
// position, so the engine fills the table once and a variant loads row *pos while its matvec
// runs (attn_in::Args::rope_table).
#pragma once

#include <cstdint>

namespace swapbench {

// Fills table (positions * rot_dim floats, device memory) on `stream` (a cudaStream_t) and
// checks the launch. rot_dim must be even and positive.
void fill_rope_table(float* table, int32_t positions, int32_t rot_dim, float base, void* stream);

}  // namespace swapbench
