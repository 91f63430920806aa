// record_blocks (block_trace_capture.h): a device buffer, the sink set around the work, and the
// records copied back.
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

#include "harness/block_trace_capture.h"
#include "kernels/common/cuda_check.h"

namespace swapbench {

std::vector<trace::Record> record_blocks(const std::function<void()>& body, unsigned per_sm) {
  constexpr int kSms = trace::kMaxSms;
  trace::Sink sink;
  sink.per_sm = per_sm;
  SB_CUDA_CHECK(cudaMalloc(&sink.records, size_t(kSms) * per_sm * sizeof(trace::Record)));
  SB_CUDA_CHECK(cudaMalloc(&sink.count, kSms * sizeof(unsigned)));
  struct Free {  // the buffers and the sink go away on every path, exceptions included
    trace::Sink s;
    ~Free() {
      try {
        trace::set_sink(trace::Sink{});
      } catch (...) {  // a device already broken: the error that got here is the one to report
      }
      cudaFree(s.records);
      cudaFree(s.count);
    }
  } guard{sink};
  SB_CUDA_CHECK(cudaMemset(sink.count, 0, kSms * sizeof(unsigned)));
  SB_CUDA_CHECK(cudaDeviceSynchronize());
  trace::set_sink(sink);
  body();
  SB_CUDA_CHECK(cudaDeviceSynchronize());
  std::vector<unsigned> counts(kSms);
  SB_CUDA_CHECK(
      cudaMemcpy(counts.data(), sink.count, kSms * sizeof(unsigned), cudaMemcpyDeviceToHost));
  std::vector<trace::Record> out;
  for (int sm = 0; sm < kSms; ++sm) {
    if (counts[size_t(sm)] > per_sm)
      throw std::runtime_error("block trace: SM " + std::to_string(sm) + " recorded " +
                               std::to_string(counts[size_t(sm)]) + " events, room for " +
                               std::to_string(per_sm));
    const size_t at = out.size();
    out.resize(at + counts[size_t(sm)]);
    SB_CUDA_CHECK(cudaMemcpy(out.data() + at, sink.records + size_t(sm) * per_sm,
                             counts[size_t(sm)] * sizeof(trace::Record), cudaMemcpyDeviceToHost));
  }
  return out;
}

}  // namespace swapbench
