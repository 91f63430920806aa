// The one way CUDA variants launch kernels: launch_kernel() issues a kernel with
// cudaLaunchKernelEx and, when the engine asked for it (LaunchCtx::pdl), programmatic dependent
// launch (PDL): the next kernel on the stream may be scheduled while this one still runs, so
// its launch latency and block ramp-up hide under this kernel's tail. A decode step is ~30x11
// small kernels whose cost is mostly that latency, not work.
//
// The price is a rule every kernel launched here must keep: call sb_grid_wait() before reading
// anything the previous launch wrote, and before writing anything an earlier kernel reads (the
// simple safe form: as the first statement). Under PDL a kernel that forgets races with its
// predecessor. sb_grid_launch_dependents() lets the next kernel launch as soon as every block of
// this one has called it; the next kernel's own sb_grid_wait() still waits for this grid to
// complete and its writes to be visible.
//
// Every kernel calls sb_grid_launch_dependents() after its sb_grid_wait(), never before. That
// makes one more thing safe: when a kernel starts, every launch before its predecessor has
// completed (the predecessor triggered only after its own wait returned, which needs the launch
// before it complete, and so on back). So before its wait a kernel may read what launches two or
// more back wrote: weights, the KV cache rows of earlier steps, a residual the previous launch
// does not touch. A slot's contract says which of its inputs are that old in the decode step.
// One exception, allowed by both slots' contracts: attn_decode.warp_tile triggers at its start.
// Its few blocks (one per head) leave most SMs idle, and the launch after it, the layer's wo
// (matvec_residual), may then start while the launch before attention (attn_in, or rope in an
// unfused plan) still runs: before its wait wo reads only weights and the residual, which neither
// of the two writes. Triggering early after wo, down or a norm too (their successors read only
// weights before their waits) was slower on smollm2: the early grid's block dispatch overlapped
// the release of the launch before and delayed it (H200, seventeenth session, docs/results.md).
// Without PDL both calls are no-ops. Stream capture turns the attribute into programmatic graph
// edges.
#pragma once

#include <cuda_runtime.h>

#include <utility>

#include "kernels/common/block_trace.cuh"
#include "kernels/common/cuda_check.h"
#include "kernels/common/variant.h"

namespace swapbench {

// Waits until the grids this one depends on have completed and their writes are visible
// (griddepcontrol.wait, sm_90+). Returns at once when the kernel was launched without PDL.
// Under SWAPBENCH_TRACE it records the block's entry into and release from the wait.
__device__ __forceinline__ void sb_grid_wait() {
  sb_trace_wait(trace::Event::wait_begin);
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.wait;" ::: "memory");
#endif
  sb_trace_wait(trace::Event::wait_end);
}

// Allows the next PDL kernel on the stream to launch once every block of this grid has called
// it or exited (griddepcontrol.launch_dependents, sm_90+). Ordering only: not a memory fence.
__device__ __forceinline__ void sb_grid_launch_dependents() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
#endif
}

// Starts moving the 128-byte line holding `p` into L2 (prefetch.global.L2); no value comes back.
// For weights before sb_grid_wait(): the DRAM latency then overlaps the previous kernel's tail.
constexpr int kL2Line = 128;
__device__ __forceinline__ void sb_prefetch_l2(const void* p) {
  asm volatile("prefetch.global.L2 [%0];" ::"l"(p));
}

// What a hollow call (LaunchCtx::hollow) launches instead of the variant's kernel: a kernel
// boundary with no work, as device_info's dependent chain measures it. A template, so that every
// translation unit including this header may instantiate it.
template <int = 0>
__global__ void hollow_kernel() {
  sb_grid_wait();
  sb_grid_launch_dependents();
}

// Launches kernel<<<grid, block, smem, ctx.stream>>>(args...), with the PDL attribute when
// ctx.pdl, and checks the launch; `what` ("rmsnorm.serial") names it in the error. With
// ctx.hollow, hollow_kernel of the same grid and block runs instead and nothing is written.
template <class... KernelArgs, class... Args>
void launch_kernel(const char* what, void (*kernel)(KernelArgs...), dim3 grid, dim3 block,
                   size_t smem, const LaunchCtx& ctx, Args&&... args) {
  cudaLaunchAttribute attr[1];
  attr[0].id = cudaLaunchAttributeProgrammaticStreamSerialization;
  attr[0].val.programmaticStreamSerializationAllowed = 1;
  cudaLaunchConfig_t cfg{};
  cfg.gridDim = grid;
  cfg.blockDim = block;
  cfg.dynamicSmemBytes = smem;
  cfg.stream = static_cast<cudaStream_t>(ctx.stream);
  cfg.attrs = attr;
  cfg.numAttrs = ctx.pdl ? 1 : 0;
  if (ctx.hollow) {
    cfg.dynamicSmemBytes = 0;
    const cudaError_t err = cudaLaunchKernelEx(&cfg, hollow_kernel<>);
    if (err != cudaSuccess) cuda_fail(err, what, __FILE__, __LINE__);
    SB_CHECK_LAUNCH(what);
    return;
  }
  const cudaError_t err = cudaLaunchKernelEx(&cfg, kernel, std::forward<Args>(args)...);
  if (err != cudaSuccess) cuda_fail(err, what, __FILE__, __LINE__);
  SB_CHECK_LAUNCH(what);
}

}  // namespace swapbench
