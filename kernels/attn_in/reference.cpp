// CPU reference of the `attn_in.<type>` slots (the separate slot references in sequence), and
// their registration.
#include <string>
#include <vector>

#include "kernels/attn_in/attn_in.h"
#include "kernels/common/variant.h"
#include "kernels/matvec/matvec.h"
#include "kernels/rmsnorm/rmsnorm.h"
#include "kernels/rope/rope.h"

namespace swapbench::attn_in {

void reference(const Args& a) {
  const int32_t q_rows = a.heads * a.head_dim, kv_rows = a.kv_heads * a.head_dim;
  std::vector<float> xn(static_cast<size_t>(a.dim));
  std::vector<float> k(static_cast<size_t>(kv_rows)), v(static_cast<size_t>(kv_rows));
  rmsnorm::reference({a.x, a.norm, xn.data(), a.dim, a.eps});
  matvec::reference({a.wq, xn.data(), a.q, q_rows, a.dim, a.type});
  matvec::reference({a.wk, xn.data(), k.data(), kv_rows, a.dim, a.type});
  matvec::reference({a.wv, xn.data(), v.data(), kv_rows, a.dim, a.type});
  rope::reference({a.q, k.data(), v.data(), a.k_cache, a.v_cache, a.pos, a.heads, a.kv_heads,
                   a.head_dim, a.rot_dim, a.freq_base});
}

SB_ON_LOAD {
  for (DType t : matvec::kTypes) {
    Registry::instance().add_slot(
        {.key = matvec::slot_key("attn_in", t),
         .family = "attn_in",
         .contract = "rmsnorm, then q/k/v = Wq/Wk/Wv xn (W in " + std::string(name(t)) +
                     "), rope on q and k, k and v into cache row pos",
         .cpu_reference = "cpu_ref",
         .cuda_reference = "unfused"});
  }
}

}  // namespace swapbench::attn_in
