// Block trace: when each thread block of each kernel started, passed its grid wait and when each
// of its warps ended, read from %globaltimer on the device. It answers what nsys cannot: inside a
// replayed CUDA graph under PDL, how long after one kernel's last warp the next one's blocks were
// released, and how far its warps' ends spread (`swapbench timeline`).
//
// Compiled in only with -DSWAPBENCH_TRACE=ON: every hook is then one global load, and one atomic
// per record while a sink is set. Normal builds carry no hook at all (block_trace.cuh).
#pragma once

#include <cstdint>

namespace swapbench::trace {

enum class Event : uint32_t {
  start = 0,       // block entry (kernels that work before their wait record it)
  wait_begin = 1,  // sb_grid_wait() entered: the block entry of every other kernel
  wait_end = 2,    // sb_grid_wait() returned: the grids before are complete and visible
  warp_end = 3,    // a warp finished (only kernels that call sb_trace_warp_end())
  ready = 4,       // a block's prologue after the wait is done (sb_trace_ready(): x staged)
};

// One event of one block (warp for warp_end), written by the device. 32 bytes.
struct Record {
  uint64_t t_ns;  // %globaltimer
  uint64_t grid;  // %gridid: unique per launch, also per graph replay
  uint32_t sm;
  uint32_t block;  // linear block index
  uint32_t warp;
  uint32_t event;  // Event
};
static_assert(sizeof(Record) == 32, "the device writes records as 32-byte structs");

// Where the hooks write: a region of per_sm records per SM, filled through that SM's counter,
// records[sm * per_sm + atomicAdd(&count[sm], 1)] while below per_sm. One counter per SM keeps the
// atomics off a single address: 2000 warps ending at once on one counter took ~1 us to serialise.
constexpr int kMaxSms = 256;
struct Sink {
  Record* records = nullptr;      // kMaxSms * per_sm; nullptr: hooks record nothing
  unsigned int* count = nullptr;  // kMaxSms counters
  unsigned int per_sm = 0;
};

// True when this build has the hooks (-DSWAPBENCH_TRACE=ON).
bool compiled_in();

// Each CUDA translation unit holds its own copy of the device-side sink (no relocatable device
// code), so each registers a setter for its copy from a static initializer (block_trace.cuh).
using SinkSetter = void (*)(const Sink&);
void add_sink_setter(SinkSetter setter);
// Points every unit's hooks at `sink` (a default Sink turns them off).
void set_sink(const Sink& sink);

}  // namespace swapbench::trace
