// What the GPU can do, measured: the limits every benchmark figure is put against.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace swapbench {

struct DeviceReport {
  bool available = false;
  std::string why_unavailable;
  std::string name, uuid, driver, cuda_runtime;
  int sm_major = 0, sm_minor = 0, sm_count = 0;
  double memory_gib = 0, l2_mib = 0;
  double read_gbps = 0;       // stream-read bandwidth (a large buffer read once), GB/s
  double copy_gbps = 0;       // device-to-device copy, bytes read + written, GB/s
  double launch_us = 0;       // one empty kernel launched eagerly, per launch
  double graph_node_us = 0;   // one empty kernel node in a replayed graph, per node
  // One full-grid kernel (a block per SM) that waits on its predecessor under PDL and reads what
  // it wrote, per node of a replayed graph: the least a decode step's launch can cost there.
  double chain_node_us = 0;
};

// The most a step of dependent full-grid launches can gain from graphs on this host: an eager
// step costs at least one host launch per kernel, a replayed one at least one chain node per
// kernel. 0 when either is unmeasured.
double graphs_ratio_ceiling(const DeviceReport& r);

// Measures on the current device (a second or two); available=false with the reason when
// there is no GPU or the build has no CUDA.
DeviceReport measure_device();
nlohmann::json to_json(const DeviceReport& r);
std::string describe(const DeviceReport& r);

}  // namespace swapbench
