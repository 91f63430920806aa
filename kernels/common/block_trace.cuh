// Device side of the block trace (block_trace.h). Included by launch.cuh, so every kernel that
// keeps the PDL rule (sb_grid_wait) records its blocks' entry and release; kernels that work
// before the wait call sb_trace_start() first, and the kernels worth a tail call
// sb_trace_warp_end() last. Without SWAPBENCH_TRACE the hooks are empty.
#pragma once

#include "kernels/common/block_trace.h"

#ifdef SWAPBENCH_TRACE
#include <cuda_runtime.h>

#include "kernels/common/cuda_check.h"

namespace swapbench::trace {
namespace {  // one copy per translation unit: whole-program compilation, no -rdc

__device__ Sink g_sink;

void set_this_unit_sink(const Sink& s) {
  // Checked: a unit left unset would silently drop its kernels from the trace.
  SB_CUDA_CHECK(cudaMemcpyToSymbol(g_sink, &s, sizeof s));
}
[[maybe_unused]] const bool g_registered = (add_sink_setter(&set_this_unit_sink), true);

}  // namespace

__device__ __forceinline__ void record(Event e, uint32_t warp) {
  // The clock first: the branch on the sink's address waits for its load (an L2 round trip at a
  // block's first record, ~0.5 us under a weight stream), which would otherwise date the event.
  Record r;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(r.t_ns));
  Record* const out = g_sink.records;
  if (out == nullptr) return;
  asm("mov.u64 %0, %%gridid;" : "=l"(r.grid));
  asm("mov.u32 %0, %%smid;" : "=r"(r.sm));
  const unsigned sm = r.sm % kMaxSms;
  const unsigned i = atomicAdd(g_sink.count + sm, 1u);  // counts past per_sm: the host sees it
  if (i >= g_sink.per_sm) return;
  r.block = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
  r.warp = warp;
  r.event = static_cast<uint32_t>(e);
  out[size_t(sm) * g_sink.per_sm + i] = r;
}

__device__ __forceinline__ bool first_thread() {
  return threadIdx.x == 0 && threadIdx.y == 0 && threadIdx.z == 0;
}

}  // namespace swapbench::trace
#endif

namespace swapbench {

// Block entry, for kernels that work before sb_grid_wait(); thread 0 records.
__device__ __forceinline__ void sb_trace_start() {
#ifdef SWAPBENCH_TRACE
  if (trace::first_thread()) trace::record(trace::Event::start, 0);
#endif
}
__device__ __forceinline__ void sb_trace_wait(trace::Event e) {
#ifdef SWAPBENCH_TRACE
  if (trace::first_thread()) trace::record(e, 0);
#else
  (void)e;
#endif
}
// The block's prologue after its wait is done (its inputs staged, the first dot next); thread 0
// records. Called after a __syncthreads(), so it is the whole block's.
__device__ __forceinline__ void sb_trace_ready() {
#ifdef SWAPBENCH_TRACE
  if (trace::first_thread()) trace::record(trace::Event::ready, 0);
#endif
}
// The calling warp is done; lane 0 of each warp records (1-D blocks).
__device__ __forceinline__ void sb_trace_warp_end() {
#ifdef SWAPBENCH_TRACE
  if ((threadIdx.x & 31) == 0) trace::record(trace::Event::warp_end, threadIdx.x >> 5);
#endif
}

}  // namespace swapbench
