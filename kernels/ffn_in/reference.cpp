// CPU reference of the `ffn_in.<type>` slots (the separate slot references in sequence), and
// their registration.
#include <string>
#include <vector>

#include "kernels/common/variant.h"
#include "kernels/ffn_in/ffn_in.h"
#include "kernels/matvec/matvec.h"
#include "kernels/matvec_pair/matvec_pair.h"
#include "kernels/rmsnorm/rmsnorm.h"
#include "kernels/swiglu/swiglu.h"

namespace swapbench::ffn_in {

void reference(const Args& a) {
  std::vector<float> xn(size_t(a.dim)), gate(size_t(a.rows)), up(size_t(a.rows));
  rmsnorm::reference({a.x, a.norm, xn.data(), a.dim, a.eps});
  matvec_pair::reference(
      {a.w_gate, a.w_up, xn.data(), gate.data(), up.data(), a.rows, a.rows, a.dim, a.type});
  swiglu::reference({gate.data(), up.data(), a.act, a.rows});
}

SB_ON_LOAD {
  for (DType t : matvec::kTypes) {
    Registry::instance().add_slot(
        {.key = matvec::slot_key("ffn_in", t),
         .family = "ffn_in",
         .contract = "rmsnorm, then act = silu(Wg xn) * (Wu xn), W in " + std::string(name(t)),
         .cpu_reference = "cpu_ref",
         .cuda_reference = "unfused"});
  }
}

}  // namespace swapbench::ffn_in
