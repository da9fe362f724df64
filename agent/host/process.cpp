#include "agent/host/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "common/fs/unique_fd.h"
#include "common/limits.h"

extern char** environ;

namespace sc::agent {
namespace {

using fs::UniqueFd;

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

Result<Pipe> makePipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return errnoError(errno, "cannot create a pipe");
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

std::vector<std::string> childEnvironment(const Command& command) {
  std::vector<std::string> env;
  for (const char* name : kInheritedEnvironment) {
    if (command.env.contains(name)) continue;
    if (const char* value = std::getenv(name)) env.push_back(fmt::format("{}={}", name, value));
  }
  if (!std::getenv("PATH") && !command.env.contains("PATH")) {
    env.emplace_back("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  }
  for (const auto& [name, value] : command.env) env.push_back(fmt::format("{}={}", name, value));
  return env;
}

void appendCapped(std::string& out, const char* data, std::size_t size, bool& truncated) {
  const std::size_t room =
      out.size() < limits::kMaxCommandOutputBytes ? limits::kMaxCommandOutputBytes - out.size() : 0;
  if (size > room) truncated = true;
  out.append(data, std::min(size, room));
}

std::string findProgram(const std::string& name, const std::string& path_value) {
  if (name.find('/') != std::string::npos) return name;
  std::size_t start = 0;
  while (start <= path_value.size()) {
    auto end = path_value.find(':', start);
    if (end == std::string::npos) end = path_value.size();
    const std::string dir = path_value.substr(start, end - start);
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return name;  // execve fails with ENOENT and the child reports it
}

}  // namespace

Result<CommandResult> runProcess(const Command& command, const std::string& cwd) {
  if (command.argv.empty() || command.argv[0].empty()) {
    return Error(ErrorCode::InvalidArgument, "empty command");
  }
  auto in = makePipe();
  auto out = makePipe();
  auto err = makePipe();
  auto status = makePipe();  // carries errno if exec fails
  for (auto* pipe : {&in, &out, &err, &status}) {
    if (!*pipe) return pipe->error();
  }
  // Everything the child needs is built before fork: only async-signal-safe
  // calls happen between fork and exec.
  std::vector<std::string> env_strings = childEnvironment(command);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_strings = command.argv;
  std::vector<char*> argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  std::string path_value;
  for (const auto& s : env_strings) {
    if (s.rfind("PATH=", 0) == 0) path_value = s.substr(5);
  }
  // Resolve the program in the child's PATH here, before fork.
  const std::string program = findProgram(command.argv[0], path_value);

  const pid_t pid = ::fork();
  if (pid < 0) return errnoError(errno, "cannot fork");
  if (pid == 0) {
    ::setpgid(0, 0);
    ::signal(SIGPIPE, SIG_DFL);
    ::dup2(in->read.get(), 0);
    ::dup2(out->write.get(), 1);
    ::dup2(err->write.get(), 2);
    int code = 0;
    if (::chdir(cwd.c_str()) != 0) {
      code = errno;
    } else {
      ::execve(program.c_str(), argv.data(), envp.data());
      code = errno;
    }
    (void)!::write(status->write.get(), &code, sizeof code);
    ::_exit(127);
  }
  ::setpgid(pid, pid);
  in->read.reset();
  out->write.reset();
  err->write.reset();
  status->write.reset();

  CommandResult result;
  std::string stdin_left = command.stdin_data.value_or("");
  if (stdin_left.empty()) in->write.reset();
  ::signal(SIGPIPE, SIG_IGN);
  const auto deadline = std::chrono::steady_clock::now() + command.timeout;
  bool timed_out = false;
  while (out->read.valid() || err->read.valid()) {
    std::vector<pollfd> fds;
    if (out->read.valid()) fds.push_back({out->read.get(), POLLIN, 0});
    if (err->read.valid()) fds.push_back({err->read.get(), POLLIN, 0});
    if (in->write.valid()) fds.push_back({in->write.get(), POLLOUT, 0});
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    const int ready =
        ::poll(fds.data(), fds.size(), static_cast<int>(std::min<long>(left.count(), 1000)));
    if (ready < 0 && errno != EINTR) break;
    for (const auto& p : fds) {
      if (p.revents == 0) continue;
      if (p.fd == in->write.get()) {
        const ssize_t n = ::write(p.fd, stdin_left.data(), stdin_left.size());
        if (n > 0) stdin_left.erase(0, static_cast<std::size_t>(n));
        if (n < 0 || stdin_left.empty()) in->write.reset();
        continue;
      }
      char buffer[65536];
      const ssize_t n = ::read(p.fd, buffer, sizeof buffer);
      auto& target = p.fd == out->read.get() ? result.stdout_text : result.stderr_text;
      if (n > 0) {
        appendCapped(target, buffer, static_cast<std::size_t>(n), result.truncated);
      } else if (n == 0 || errno != EINTR) {
        (p.fd == out->read.get() ? out->read : err->read).reset();
      }
    }
  }
  if (timed_out) ::kill(-pid, SIGKILL);
  int wait_status = 0;
  while (::waitpid(pid, &wait_status, 0) < 0 && errno == EINTR) {
  }
  // Descendants that kept running in the group die with the command.
  ::kill(-pid, SIGKILL);
  if (timed_out) {
    return Error(
        ErrorCode::Timeout,
        fmt::format("'{}' did not finish within {} s; its process group was killed",
                    command.argv[0],
                    std::chrono::duration_cast<std::chrono::seconds>(command.timeout).count()));
  }
  int exec_errno = 0;
  if (::read(status->read.get(), &exec_errno, sizeof exec_errno) == sizeof exec_errno) {
    result.rc = 127;
    result.stderr_text =
        fmt::format("cannot run '{}': {}", command.argv[0], std::strerror(exec_errno));
    return result;
  }
  if (WIFEXITED(wait_status)) {
    result.rc = WEXITSTATUS(wait_status);
  } else if (WIFSIGNALED(wait_status)) {
    result.rc = 128 + WTERMSIG(wait_status);
  }
  return result;
}

}  // namespace sc::agent
