// The one registration idiom for kernel variants, and the registry that holds them.
//
// A slot is one operation of the decode step with a fixed contract (kernels/<slot>/<slot>.h).
// A variant is one implementation of a slot on one backend; it registers itself from its own
// file (variants/<slot>/<idea>.cu|.cpp) with SB_REGISTER_VARIANT. The registry answers "which
// variants exist", "does this one apply to this shape (and if not, why)" and "launch it".
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <typeindex>
#include <vector>

namespace swapbench {

enum class Backend { cpu, cuda };
enum class Equality { bitwise, reassociates };  // declared equality to the slot's reference

std::string to_string(Backend b);
std::string to_string(Equality e);
std::optional<Backend> backend_from_string(const std::string& s);

// Shape of one call of a slot. Each slot's contract says which fields it uses.
struct Shape {
  int64_t rows = 0;      // matvec*: output rows (matvec_pair: rows of the first output)
  int64_t rows2 = 0;     // matvec_pair: rows of the second output
  int64_t cols = 0;      // matvec*: input length; rmsnorm, swiglu, embed, argmax: vector length
  int64_t heads = 0;     // rope, attn_decode
  int64_t kv_heads = 0;  // rope, attn_decode
  int64_t head_dim = 0;  // rope, attn_decode
  int64_t max_ctx = 0;   // attn_decode: KV cache capacity (positions)
  std::string describe() const;  // "rows=576 cols=1536", only the fields that are set
  auto operator<=>(const Shape&) const = default;
};

// A tunable integer parameter of a variant.
struct ParamSpec {
  std::string name;
  int64_t min = 0, max = 0, def = 0;
  std::string doc;
};
using Params = std::map<std::string, int64_t>;

// What a launcher gets besides the slot's argument struct.
struct LaunchCtx {
  void* stream = nullptr;     // cudaStream_t for CUDA variants; unused on the CPU
  void* workspace = nullptr;  // VariantInfo::workspace_bytes(shape) bytes, device or host memory
  const Params* params = nullptr;  // every declared parameter, defaults filled in
  bool pdl = false;  // CUDA: launch with programmatic dependent launch (kernels/common/launch.cuh)
  // VariantInfo::zeroed_bytes(shape) bytes that are zero when the call starts and that the call
  // must leave zero when it completes (an arrival counter reset by the last block to draw a
  // ticket), so that no memset node has to zero them before every call. The engine zeroes them
  // once; like the workspace they are shared by the step's call sites, which is safe because a
  // kernel touches them only after its grid wait, when the launch before it has completed.
  void* zeroed = nullptr;
  // `ablate`: launch_kernel (launch.cuh) starts an empty kernel of the same grid in place of the
  // variant's (it waits for its predecessor and lets its successor launch, as every kernel of
  // the step does) and the call writes nothing: what the step costs without this call's work.
  bool hollow = false;
  int64_t param(const std::string& name) const;  // throws when the variant did not declare it
};

// Everything the registry knows of a variant, apart from its launcher.
struct VariantInfo {
  std::string slot;  // contract it implements: "rmsnorm", "matvec.q4_1"
  std::string name;  // idea, a stable key stored in databases: "warp_shuffle"
  Backend backend = Backend::cpu;
  Equality equality = Equality::bitwise;
  std::string rationale;  // one paragraph: what it changes, what it saves, why (in)exact
  std::vector<ParamSpec> params;
  // nullopt when the variant handles `shape`, else the reason it does not.
  std::function<std::optional<std::string>(const Shape&)> applies;
  std::function<double(const Shape&)> bytes;            // bytes moved through memory per call
  std::function<double(const Shape&)> flops;            // arithmetic per call
  std::function<size_t(const Shape&)> workspace_bytes;  // scratch per call site (may be empty)
  // LaunchCtx::zeroed: none unless declared (also for Variants built by hand, as tests do).
  std::function<size_t(const Shape&)> zeroed_bytes = [](const Shape&) { return size_t{0}; };
  std::string fallback;    // variant of the same slot used where applies() says no
  bool test_only = false;  // compiled into test binaries only, never offered to users

  std::string key() const { return slot + "." + name; }
};

struct Variant {
  VariantInfo info;
  std::type_index args_type = typeid(void);
  std::function<void(const void* args, const LaunchCtx&)> launch_erased;

  // Launches with the slot's argument struct; throws if Args is not the slot's struct.
  template <class Args>
  void launch(const Args& args, const LaunchCtx& ctx) const {
    if (args_type != std::type_index(typeid(Args)))
      throw std::logic_error(info.key() + ": launched with the wrong argument struct");
    launch_erased(&args, ctx);
  }
};

// What a slot is: its key, its contract in one paragraph, and its reference per backend.
struct SlotInfo {
  std::string key;       // "rmsnorm", "matvec.q4_1"
  std::string family;    // "matvec" for "matvec.q4_1"; same as key otherwise
  std::string contract;  // what it computes, in one paragraph
  std::string cpu_reference;
  std::string cuda_reference;
  const std::string& reference(Backend b) const {
    return b == Backend::cpu ? cpu_reference : cuda_reference;
  }
};

class Registry {
 public:
  static Registry& instance();

  void add_slot(SlotInfo slot);  // throws on a duplicate key
  void add_variant(Variant v);   // throws on a duplicate slot.name
  const SlotInfo* slot(const std::string& key) const;
  std::vector<const SlotInfo*> slots() const;  // sorted by key
  const Variant* find(const std::string& slot, const std::string& name) const;
  // Variants of `slot` ("" = all), sorted; test-only variants only when asked.
  std::vector<const Variant*> variants(const std::string& slot = "",
                                       std::optional<Backend> backend = std::nullopt,
                                       bool include_test_only = false) const;

 private:
  std::map<std::string, SlotInfo> slots_;
  std::map<std::string, Variant> variants_;  // by key()
};

// Registers `info` with its typed launcher; used through SB_REGISTER_VARIANT.
template <class Args>
bool register_variant(VariantInfo info, void (*launch)(const Args&, const LaunchCtx&)) {
  Variant v;
  v.info = std::move(info);
  v.args_type = typeid(Args);
  v.launch_erased = [launch](const void* a, const LaunchCtx& c) {
    launch(*static_cast<const Args*>(a), c);
  };
  Registry::instance().add_variant(std::move(v));
  return true;
}

// Every declared parameter of `info` at its default.
Params default_params(const VariantInfo& info);

// Launches the reference variant of `slot` for `backend` with its default parameters (no
// workspace): how a composed reference such as attn_in.unfused is built from other slots'
// references. Throws std::logic_error when the slot or its reference is not registered.
const Variant& reference_variant(const std::string& slot, Backend backend);
template <class Args>
void launch_reference(const std::string& slot, Backend backend, const Args& args,
                      const LaunchCtx& ctx) {
  const Variant& v = reference_variant(slot, backend);
  const Params params = default_params(v.info);
  v.launch(args, LaunchCtx{ctx.stream, nullptr, &params, ctx.pdl});
}

// Floats of a workspace region rounded up to whole float4s, so that the next region starts
// 16-byte aligned (the composed references carve their scratch vectors this way).
inline int64_t float4_padded(int64_t n) { return (n + 3) / 4 * 4; }

// Shape predicates that variants combine in applies().
std::optional<std::string> require(bool ok, const std::string& reason_if_not);

}  // namespace swapbench

#define SB_CAT_INNER(a, b) a##b
#define SB_CAT(a, b) SB_CAT_INNER(a, b)
// Runs the following block once at program load: how every variant and slot registers.
//   SB_ON_LOAD { swapbench::register_variant<rmsnorm::Args>({...}, &launch); }
#define SB_ON_LOAD SB_ON_LOAD_IMPL(SB_CAT(sb_on_load_, __LINE__))
#define SB_ON_LOAD_IMPL(fn)                                            \
  static void fn();                                                    \
  [[maybe_unused]] static const bool SB_CAT(fn, _done) = (fn(), true); \
  static void fn()
