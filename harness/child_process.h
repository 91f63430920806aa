// Runs one trial in a child process with a timeout, so a CUDA fault, an abort or a hang in a
// variant becomes a recorded status instead of a dead sweep.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace swapbench {

struct ChildResult {
  enum class Status { exited, signaled, timed_out, failed_to_start };
  Status status = Status::failed_to_start;
  int exit_code = -1;   // when exited
  int signal = 0;       // when signaled (or the signal that ended a timed-out child)
  std::string out, err;  // everything the child wrote
  double seconds = 0;
  std::string describe() const;  // "exit 0", "signal 6 (Aborted)", "timeout after 5.0 s"
};

// Runs argv[0] with argv (no shell) in its own process group, feeding `input` on stdin and
// collecting stdout and stderr without deadlock. Past `timeout`, the whole group gets SIGKILL.
ChildResult run_child(const std::vector<std::string>& argv, const std::string& input,
                      std::chrono::milliseconds timeout);

}  // namespace swapbench
