// `swapbench device-info`: the GPU, its driver, and measured limits (bandwidth, launch costs).
#include <iostream>

#include "harness/device_info.h"
#include "runner/cli/commands.h"

namespace swapbench::cli {

void add_device_info(CLI::App& app, Action& run) {
  auto* c = app.add_subcommand("device-info",
                               "Show the GPU and measure stream bandwidth, launch, graph-node and "
                               "dependent-node costs");
  static bool json = false;
  c->add_flag("--json", json, "Machine-readable output");
  c->callback([&run] {
    run = [] {
      const DeviceReport r = measure_device();
      if (json) {
        std::cout << to_json(r).dump(2) << "\n";
      } else {
        std::cout << describe(r);
      }
      return r.available ? 0 : 1;
    };
  });
}

}  // namespace swapbench::cli
