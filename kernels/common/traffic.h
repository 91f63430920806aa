// The least bytes and the arithmetic of one call of each slot, as functions of its Shape:
// every variant of a slot declares these, so reports can show percent of measured peak.
#pragma once

#include "kernels/common/dtype.h"
#include "kernels/common/variant.h"

namespace swapbench::traffic {

inline double vector_bytes(const Shape& s, int vectors) { return 4.0 * double(s.cols) * vectors; }

// embed: one row of the table read, one f32 row written.
inline double embed_bytes(DType t, const Shape& s) {
  return double(row_bytes(t, uint64_t(s.cols))) + 4.0 * double(s.cols);
}
// rmsnorm: x and weight read, out written; ~4 flops per element.
inline double rmsnorm_bytes(const Shape& s) { return vector_bytes(s, 3); }
inline double rmsnorm_flops(const Shape& s) { return 4.0 * double(s.cols); }
// swiglu: gate and up read, out written.
inline double swiglu_bytes(const Shape& s) { return vector_bytes(s, 3); }
inline double swiglu_flops(const Shape& s) { return 6.0 * double(s.cols); }
// argmax: the logits read once.
inline double argmax_bytes(const Shape& s) { return vector_bytes(s, 1); }
// matvec family: weights once, x once, y once (and the residual for matvec_residual).
inline double matvec_bytes(DType t, const Shape& s, bool residual = false) {
  const double rows = double(s.rows + s.rows2);
  return double(row_bytes(t, uint64_t(s.cols))) * rows + 4.0 * double(s.cols) +
         4.0 * rows * (residual ? 2.0 : 1.0);
}
inline double matvec_flops(const Shape& s) { return 2.0 * double(s.rows + s.rows2) * double(s.cols); }
// rope: q and k read and written, v read and written to the cache.
inline double rope_bytes(const Shape& s) {
  return 4.0 * 2.0 * double((s.heads + 2 * s.kv_heads) * s.head_dim);
}
// attn_decode at a full cache (the worst case the shape allows): K and V rows read once.
inline double attn_bytes(const Shape& s, double positions) {
  return 4.0 * 2.0 * positions * double(s.kv_heads * s.head_dim) +
         4.0 * 2.0 * double(s.heads * s.head_dim);
}
inline double attn_flops(const Shape& s, double positions) {
  return 4.0 * positions * double(s.heads * s.head_dim);
}

// attn_in: x and the norm weights read, Wq, Wk, Wv once, q written, k and v cache rows written
// (rows = q rows, rows2 = rows of Wk and of Wv).
inline double attn_in_bytes(DType t, const Shape& s) {
  const double rows = double(s.rows + 2 * s.rows2);
  return double(row_bytes(t, uint64_t(s.cols))) * rows + vector_bytes(s, 2) + 4.0 * rows;
}
inline double attn_in_flops(const Shape& s) {
  return 2.0 * double(s.rows + 2 * s.rows2) * double(s.cols) + 4.0 * double(s.cols) +
         6.0 * double(s.rows + s.rows2);
}
// ffn_in: x and the norm weights read, Wg and Wu once, act written (rows == rows2).
inline double ffn_in_bytes(DType t, const Shape& s) {
  return double(row_bytes(t, uint64_t(s.cols))) * double(s.rows + s.rows2) + vector_bytes(s, 2) +
         4.0 * double(s.rows);
}
inline double ffn_in_flops(const Shape& s) {
  return 2.0 * double(s.rows + s.rows2) * double(s.cols) + 4.0 * double(s.cols) +
         6.0 * double(s.rows);
}
// wo_ffn_in: Wo (cols x cols) with att, x read and x written, then ffn_in on the new x.
inline double wo_ffn_in_bytes(DType t, const Shape& s) {
  const Shape wo{.rows = s.cols, .cols = s.cols};
  return matvec_bytes(t, wo, true) + ffn_in_bytes(t, s);
}
inline double wo_ffn_in_flops(const Shape& s) {
  return 2.0 * double(s.cols) * double(s.cols) + ffn_in_flops(s);
}

}  // namespace swapbench::traffic
