// fork/exec with pipes, poll() and a deadline.
#include "harness/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iomanip>
#include <sstream>

namespace swapbench {

std::string ChildResult::describe() const {
  std::ostringstream o;
  switch (status) {
    case Status::exited: o << "exit " << exit_code; break;
    case Status::signaled: o << "signal " << signal << " (" << strsignal(signal) << ")"; break;
    case Status::timed_out: o << "timeout after " << std::fixed << std::setprecision(1) << seconds << " s"; break;
    case Status::failed_to_start: o << "failed to start: " << err; break;
  }
  return o.str();
}

ChildResult run_child(const std::vector<std::string>& argv, const std::string& input,
                      std::chrono::milliseconds timeout) {
  using clock = std::chrono::steady_clock;
  ChildResult r;
  if (argv.empty()) {
    r.err = "empty command";
    return r;
  }
  int in[2], out[2], err[2], exec_err[2];
  if (pipe(in) || pipe(out) || pipe(err) || pipe2(exec_err, O_CLOEXEC)) {
    r.err = std::string("pipe: ") + std::strerror(errno);
    return r;
  }
  const auto start = clock::now();
  const pid_t pid = fork();
  if (pid < 0) {
    r.err = std::string("fork: ") + std::strerror(errno);
    return r;
  }
  if (pid == 0) {
    setpgid(0, 0);
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1], exec_err[0]}) close(fd);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    const int e = errno;  // exec failed: tell the parent through the close-on-exec pipe
    ssize_t ignored = write(exec_err[1], &e, sizeof e);
    (void)ignored;
    _exit(127);
  }
  setpgid(pid, pid);
  for (int fd : {in[0], out[1], err[1], exec_err[1]}) close(fd);
  int exec_errno = 0;
  if (read(exec_err[0], &exec_errno, sizeof exec_errno) == sizeof exec_errno) {
    waitpid(pid, nullptr, 0);
    r.err = argv[0] + ": " + std::strerror(exec_errno);
    for (int fd : {in[1], out[0], err[0], exec_err[0]}) close(fd);
    return r;
  }
  close(exec_err[0]);
  signal(SIGPIPE, SIG_IGN);  // a child that exits early must not kill us through stdin

  size_t written = 0;
  int in_fd = in[1];
  if (input.empty()) {
    close(in_fd);
    in_fd = -1;
  } else {
    fcntl(in_fd, F_SETFL, O_NONBLOCK);
  }
  const auto deadline = start + timeout;
  bool timed_out = false;
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0 || in_fd >= 0) {
    const auto now = clock::now();
    if (now >= deadline) {
      timed_out = true;
      break;
    }
    pollfd fds[3];
    int n = 0;
    if (out[0] >= 0) fds[n++] = {out[0], POLLIN, 0};
    if (err[0] >= 0) fds[n++] = {err[0], POLLIN, 0};
    if (in_fd >= 0) fds[n++] = {in_fd, POLLOUT, 0};
    const int ms = int(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count()) + 1;
    if (poll(fds, nfds_t(n), ms) < 0 && errno != EINTR) break;
    for (int i = 0; i < n; ++i) {
      if (!fds[i].revents) continue;
      if (fds[i].fd == in_fd) {
        const ssize_t w = write(in_fd, input.data() + written, input.size() - written);
        if (w > 0) written += size_t(w);
        if (w < 0 && errno != EAGAIN) written = input.size();
        if (written == input.size()) {
          close(in_fd);
          in_fd = -1;
        }
        continue;
      }
      const ssize_t got = read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        (fds[i].fd == out[0] ? r.out : r.err).append(buf, size_t(got));
      } else if (got == 0 || errno != EINTR) {
        close(fds[i].fd);
        (fds[i].fd == out[0] ? out[0] : err[0]) = -1;
        --open_fds;
      }
    }
  }
  if (timed_out) kill(-pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  for (int fd : {in_fd, out[0], err[0]})
    if (fd >= 0) close(fd);
  r.seconds = std::chrono::duration<double>(clock::now() - start).count();
  if (timed_out) {
    r.status = ChildResult::Status::timed_out;
    r.signal = SIGKILL;
  } else if (WIFSIGNALED(status)) {
    r.status = ChildResult::Status::signaled;
    r.signal = WTERMSIG(status);
  } else {
    r.status = ChildResult::Status::exited;
    r.exit_code = WEXITSTATUS(status);
  }
  return r;
}

}  // namespace swapbench
