#include "agent/host/process.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <optional>
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

// Who a command runs as when it names a user: resolved before fork, since
// the name service is not async-signal-safe.
struct RunAs {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  std::string name;
  std::string home;
};

Result<RunAs> resolveUser(const std::string& name) {
  struct passwd entry {};
  struct passwd* found = nullptr;
  std::vector<char> buffer(16384);
  const int rc = ::getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found);
  if (rc != 0) return errnoError(rc, fmt::format("cannot look up user '{}'", name));
  if (found == nullptr) {
    return Error(ErrorCode::NotFound, fmt::format("become_user: no user '{}' on this host", name));
  }
  RunAs run_as{entry.pw_uid, entry.pw_gid, {}, entry.pw_name, entry.pw_dir};
  int count = 64;
  run_as.groups.resize(static_cast<std::size_t>(count));
  while (::getgrouplist(name.c_str(), entry.pw_gid, run_as.groups.data(), &count) < 0) {
    run_as.groups.resize(static_cast<std::size_t>(count) * 2);
    count *= 2;
  }
  run_as.groups.resize(static_cast<std::size_t>(count));
  if (::geteuid() != 0 && run_as.uid != ::geteuid()) {
    return Error(ErrorCode::NotPermitted,
                 fmt::format("become_user '{}' needs the agent to run as root", name));
  }
  return run_as;
}

std::vector<std::string> childEnvironment(const Command& command, const RunAs* run_as) {
  std::vector<std::string> env;
  for (const char* name : kInheritedEnvironment) {
    if (command.env.contains(name)) continue;
    if (run_as != nullptr && (std::strcmp(name, "HOME") == 0 || std::strcmp(name, "USER") == 0 ||
                              std::strcmp(name, "LOGNAME") == 0)) {
      continue;
    }
    if (const char* value = std::getenv(name)) env.push_back(fmt::format("{}={}", name, value));
  }
  if (!std::getenv("PATH") && !command.env.contains("PATH")) {
    env.emplace_back("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  }
  if (run_as != nullptr) {
    // As `sudo -H -u USER` gives them: the user's own home and name.
    for (const auto& [name, value] :
         {std::pair<const char*, const std::string&>{"HOME", run_as->home},
          {"USER", run_as->name},
          {"LOGNAME", run_as->name}}) {
      if (!command.env.contains(name)) env.push_back(fmt::format("{}={}", name, value));
    }
  }
  for (const auto& [name, value] : command.env) env.push_back(fmt::format("{}={}", name, value));
  return env;
}

// What the child reports through the status pipe when it cannot exec.
struct ChildFailure {
  int step = 0;  // kStep*
  int error = 0;
};
constexpr int kStepSwitchUser = 1;
constexpr int kStepChdir = 2;
constexpr int kStepExec = 3;

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
  std::optional<RunAs> run_as;
  if (!command.user.empty()) {
    SC_TRY_ASSIGN(run_as, resolveUser(command.user));
  }
  std::vector<std::string> env_strings = childEnvironment(command, run_as ? &*run_as : nullptr);
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
    ChildFailure failure;
    // Groups first, then the group, then the user: after setuid the others
    // are no longer allowed.
    if (run_as && (::setgroups(run_as->groups.size(), run_as->groups.data()) != 0 ||
                   ::setgid(run_as->gid) != 0 || ::setuid(run_as->uid) != 0)) {
      failure = {kStepSwitchUser, errno};
    } else if (::chdir(cwd.c_str()) != 0) {
      failure = {kStepChdir, errno};
    } else {
      ::execve(program.c_str(), argv.data(), envp.data());
      failure = {kStepExec, errno};
    }
    (void)!::write(status->write.get(), &failure, sizeof failure);
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
  ChildFailure failure;
  if (::read(status->read.get(), &failure, sizeof failure) == sizeof failure) {
    result.rc = 127;
    const char* step = failure.step == kStepSwitchUser ? "cannot become user"
                       : failure.step == kStepChdir    ? "cannot change to the directory for"
                                                       : "cannot run";
    result.stderr_text = fmt::format("{} '{}': {}", step,
                                     failure.step == kStepSwitchUser ? command.user
                                     : failure.step == kStepChdir    ? cwd
                                                                     : command.argv[0],
                                     std::strerror(failure.error));
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
