// Child-process isolation: output is collected, an abort and a hang become statuses, large
// output does not deadlock, and a missing program is reported.
#include <gtest/gtest.h>

#include <csignal>

#include "harness/child_process.h"

namespace swapbench {
namespace {

using namespace std::chrono_literals;

TEST(ChildProcess, CollectsStdoutStderrAndExitCode) {
  const ChildResult r = run_child({"/bin/sh", "-c", "cat; echo err >&2; exit 3"}, "hello", 5s);
  EXPECT_EQ(r.status, ChildResult::Status::exited);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "hello");
  EXPECT_EQ(r.err, "err\n");
}

TEST(ChildProcess, AbortBecomesSignaledWithTheSignal) {
  const ChildResult r = run_child({"/bin/sh", "-c", "kill -ABRT $$"}, "", 5s);
  EXPECT_EQ(r.status, ChildResult::Status::signaled);
  EXPECT_EQ(r.signal, SIGABRT);
  EXPECT_NE(r.describe().find("signal 6"), std::string::npos) << r.describe();
}

TEST(ChildProcess, HangIsKilledAtTheTimeoutWithItsChildren) {
  const ChildResult r = run_child({"/bin/sh", "-c", "sleep 30 & sleep 30"}, "", 300ms);
  EXPECT_EQ(r.status, ChildResult::Status::timed_out);
  EXPECT_LT(r.seconds, 5.0);
}

TEST(ChildProcess, LargeOutputOnBothStreamsDoesNotDeadlock) {
  const ChildResult r = run_child(
      {"/bin/sh", "-c", "head -c 3000000 /dev/zero; head -c 2000000 /dev/zero >&2"}, "", 20s);
  EXPECT_EQ(r.status, ChildResult::Status::exited);
  EXPECT_EQ(r.out.size(), 3000000u);
  EXPECT_EQ(r.err.size(), 2000000u);
}

TEST(ChildProcess, MissingProgramFailsToStart) {
  const ChildResult r = run_child({"/nonexistent/swapbench"}, "", 5s);
  EXPECT_EQ(r.status, ChildResult::Status::failed_to_start);
  EXPECT_NE(r.err.find("No such file"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace swapbench
