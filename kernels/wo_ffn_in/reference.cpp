// CPU reference of the `wo_ffn_in.<type>` slots (the separate slot references in sequence), and
// their registration.
#include <string>

#include "kernels/common/variant.h"
#include "kernels/ffn_in/ffn_in.h"
#include "kernels/matvec/matvec.h"
#include "kernels/matvec_residual/matvec_residual.h"
#include "kernels/wo_ffn_in/wo_ffn_in.h"

namespace swapbench::wo_ffn_in {

void reference(const Args& a) {
  matvec_residual::reference({a.wo, a.att, a.x, a.x, a.dim, a.dim, a.type});
  ffn_in::reference({a.x, a.norm, a.eps, a.w_gate, a.w_up, a.act, a.rows, a.dim, a.type});
}

SB_ON_LOAD {
  for (DType t : matvec::kTypes) {
    Registry::instance().add_slot(
        {.key = matvec::slot_key("wo_ffn_in", t),
         .family = "wo_ffn_in",
         .contract = "x += Wo att, then rmsnorm and act = silu(Wg xn) * (Wu xn), W in " +
                     std::string(name(t)),
         .cpu_reference = "cpu_ref",
         .cuda_reference = "unfused"});
  }
}

}  // namespace swapbench::wo_ffn_in
