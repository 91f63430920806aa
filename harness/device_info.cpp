// Printing device reports; the measurement itself lives in device_info.cu.
#include "harness/device_info.h"

#include <iomanip>
#include <sstream>

namespace swapbench {

nlohmann::json to_json(const DeviceReport& r) {
  return {{"available", r.available},   {"why_unavailable", r.why_unavailable},
          {"name", r.name},             {"uuid", r.uuid},
          {"driver", r.driver},         {"cuda_runtime", r.cuda_runtime},
          {"sm", std::to_string(r.sm_major) + "." + std::to_string(r.sm_minor)},
          {"sm_count", r.sm_count},     {"memory_gib", r.memory_gib},
          {"l2_mib", r.l2_mib},         {"read_gbps", r.read_gbps},
          {"copy_gbps", r.copy_gbps},   {"launch_us", r.launch_us},
          {"graph_node_us", r.graph_node_us}, {"chain_node_us", r.chain_node_us},
          {"graphs_ratio_ceiling", graphs_ratio_ceiling(r)}};
}

double graphs_ratio_ceiling(const DeviceReport& r) {
  return r.launch_us > 0 && r.chain_node_us > 0 ? r.launch_us / r.chain_node_us : 0.0;
}

std::string describe(const DeviceReport& r) {
  std::ostringstream o;
  if (!r.available) {
    o << "no GPU: " << r.why_unavailable << "\n";
    return o.str();
  }
  o << std::fixed << std::setprecision(2);
  o << r.name << " (sm_" << r.sm_major << r.sm_minor << ", " << r.sm_count << " SMs, "
    << r.memory_gib << " GiB, L2 " << r.l2_mib << " MiB)\n"
    << "uuid " << r.uuid << ", driver " << r.driver << ", CUDA runtime " << r.cuda_runtime << "\n"
    << "stream read:      " << r.read_gbps << " GB/s\n"
    << "d2d copy (r+w):   " << r.copy_gbps << " GB/s\n"
    << "eager launch:     " << r.launch_us << " us per empty kernel\n"
    << "graph node:       " << r.graph_node_us << " us per empty kernel node\n"
    << "dependent node:   " << r.chain_node_us
    << " us per full-grid kernel reading its predecessor's output (graph, PDL)\n"
    << "graphs on/off ceiling: " << graphs_ratio_ceiling(r)
    << " (eager launch over dependent node: no step of such launches gains more)\n";
  return o.str();
}

#ifndef SWAPBENCH_HAVE_CUDA
DeviceReport measure_device() {
  DeviceReport r;
  r.why_unavailable = "this swapbench was built without CUDA";
  return r;
}
#endif

}  // namespace swapbench
