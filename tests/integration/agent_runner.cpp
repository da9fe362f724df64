#include "tests/integration/agent_runner.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

extern char** environ;

namespace sc::testing {
namespace stdfs = std::filesystem;

std::string agentBinary() { return SC_AGENT_BIN; }

std::string RunResult::describe() const {
  return fmt::format(
      "exit={} signal={} timed_out={} seconds={:.2f}\n--- stdout ---\n{}\n--- stderr ---\n{}",
      exit_code, signal, timed_out, seconds, out.substr(0, 8000), err.substr(0, 8000));
}

namespace {

std::string readWhole(int fd) {
  std::string out;
  char buffer[65536];
  off_t offset = 0;
  while (true) {
    const ssize_t got = ::pread(fd, buffer, sizeof buffer, offset);
    if (got <= 0) break;
    out.append(buffer, static_cast<std::size_t>(got));
    offset += got;
  }
  return out;
}

}  // namespace

Process::Process(const std::vector<std::string>& argv, const SpawnOptions& options) {
  // Everything is prepared before fork: the child only calls
  // async-signal-safe functions (the test may have threads).
  std::map<std::string, std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const auto eq = entry.find('=');
    if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  // A crash-point setting in the test's own environment must never leak in.
  env.erase("SC_CRASHPOINT");
  env.erase("SC_CRASHPOINT_VERBOSE");
  for (const auto& name : options.unset_env) env.erase(name);
  for (const auto& [name, value] : options.env) env[name] = value;
  std::vector<std::string> env_strings;
  for (const auto& [name, value] : env) env_strings.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_strings = argv;
  std::vector<char*> args;
  for (auto& s : argv_strings) args.push_back(s.data());
  args.push_back(nullptr);

  out_fd_ = ::memfd_create("stdout", MFD_CLOEXEC);
  err_fd_ = ::memfd_create("stderr", MFD_CLOEXEC);
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  started_ = std::chrono::steady_clock::now();
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(null_fd, 0);
    ::dup2(out_fd_, 1);
    ::dup2(err_fd_, 2);
    if (options.umask) ::umask(*options.umask);
    ::execve(args[0], args.data(), envp.data());
    static const char kMessage[] = "exec failed\n";
    (void)!::write(2, kMessage, sizeof kMessage - 1);
    ::_exit(126);
  }
  ::close(null_fd);
  if (pid_ > 0) pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
}

Process::~Process() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    reap(0);
  }
  for (int fd : {pidfd_, out_fd_, err_fd_}) {
    if (fd >= 0) ::close(fd);
  }
}

bool Process::reap(int flags) {
  if (reaped_) return true;
  while (true) {
    const pid_t got = ::waitpid(pid_, &status_, flags);
    if (got == pid_) {
      reaped_ = true;
      return true;
    }
    if (got < 0 && errno == EINTR) continue;
    return false;
  }
}

void Process::kill(int sig) {
  if (pid_ > 0 && !reaped_) ::kill(pid_, sig);
}

bool Process::exitedWithin(std::chrono::milliseconds deadline) {
  if (reaped_) return true;
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (!reap(WNOHANG)) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{pidfd_, POLLIN, 0};
    ::poll(&p, 1, static_cast<int>(left.count()));
  }
  return true;
}

RunResult Process::wait(std::chrono::milliseconds deadline) {
  RunResult result;
  if (pid_ <= 0) {
    result.err = "fork failed";
    return result;
  }
  if (!exitedWithin(deadline)) {
    result.timed_out = true;
    ::kill(pid_, SIGKILL);
    reap(0);
  }
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  if (WIFEXITED(status_)) result.exit_code = WEXITSTATUS(status_);
  if (WIFSIGNALED(status_)) result.signal = WTERMSIG(status_);
  result.out = readWhole(out_fd_);
  result.err = readWhole(err_fd_);
  return result;
}

RunResult runProgram(const std::vector<std::string>& argv, const SpawnOptions& options,
                     std::chrono::milliseconds deadline) {
  Process process(argv, options);
  return process.wait(deadline);
}

void writeFile(const stdfs::path& path, const std::string& content, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) {
    ADD_FAILURE() << "cannot create " << path << ": " << std::strerror(errno);
    return;
  }
  std::string_view left = content;
  while (!left.empty()) {
    const ssize_t n = ::write(fd, left.data(), left.size());
    if (n <= 0) {
      ADD_FAILURE() << "cannot write " << path << ": " << std::strerror(errno);
      break;
    }
    left.remove_prefix(static_cast<std::size_t>(n));
  }
  ::fchmod(fd, mode);
  ::close(fd);
}

std::optional<std::string> readFile(const stdfs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return std::nullopt;
  }
  std::string out = readWhole(fd);
  ::close(fd);
  return out;
}

std::vector<std::string> tempFilesUnder(const stdfs::path& dir) {
  std::vector<std::string> found;
  std::error_code ec;
  for (auto it = stdfs::recursive_directory_iterator(dir, ec);
       !ec && it != stdfs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->path().filename().string().find(".sc-tmp-") != std::string::npos) {
      found.push_back(it->path().string());
    }
  }
  return found;
}

std::string treeDigest(const stdfs::path& dir, bool with_nlink) {
  std::ostringstream out;
  std::error_code ec;
  std::vector<stdfs::path> paths{dir};
  for (auto it = stdfs::recursive_directory_iterator(dir, ec);
       !ec && it != stdfs::recursive_directory_iterator(); it.increment(ec)) {
    paths.push_back(it->path());
  }
  std::sort(paths.begin(), paths.end());
  for (const auto& path : paths) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) continue;
    out << path.string() << " mode=" << std::oct << st.st_mode << std::dec << " uid=" << st.st_uid
        << " gid=" << st.st_gid << " size=" << st.st_size;
    if (with_nlink) out << " nlink=" << st.st_nlink;
    if (S_ISLNK(st.st_mode)) out << " -> " << stdfs::read_symlink(path, ec).string();
    if (S_ISREG(st.st_mode)) out << " content=" << readFile(path).value_or("<unreadable>");
    out << "\n";
  }
  return out.str();
}

std::vector<pid_t> processesWithCmdline(const std::vector<std::string>& argv) {
  std::string wanted;
  for (const auto& arg : argv) wanted += arg + '\0';
  std::vector<pid_t> pids;
  std::error_code ec;
  for (const auto& entry : stdfs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    const std::string cmdline((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
    if (cmdline == wanted) pids.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return pids;
}

MountGuard::~MountGuard() {
  for (auto it = mounted_.rbegin(); it != mounted_.rend(); ++it) {
    if (::umount2(it->c_str(), MNT_DETACH) != 0) {
      ADD_FAILURE() << "cannot unmount " << *it << ": " << std::strerror(errno);
    }
  }
}

std::string MountGuard::mountTmpfs(const stdfs::path& at, const std::string& options) {
  if (::mount("tmpfs", at.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
    return fmt::format("mount -t tmpfs {}: {}", at.string(), std::strerror(errno));
  }
  mounted_.push_back(at);
  return {};
}

std::string MountGuard::bindReadOnly(const stdfs::path& source, const stdfs::path& at) {
  if (::mount(source.c_str(), at.c_str(), nullptr, MS_BIND, nullptr) != 0) {
    return fmt::format("mount --bind {} {}: {}", source.string(), at.string(),
                       std::strerror(errno));
  }
  mounted_.push_back(at);
  if (::mount(nullptr, at.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0) {
    return fmt::format("remount read-only {}: {}", at.string(), std::strerror(errno));
  }
  return {};
}

AgentFixture::AgentFixture() : root_(tmp_.path() / "root"), state_(tmp_.path() / "state") {
  stdfs::create_directories(root_);
}

stdfs::path AgentFixture::real(const std::string& path) const { return root_.string() + path; }

nlohmann::json AgentFixture::manifest(nlohmann::json resources) {
  return {
      {"format_version", 1}, {"host", "itest"}, {"serial", 1}, {"resources", std::move(resources)}};
}

nlohmann::json AgentFixture::copy(const std::string& id, const std::string& dest,
                                  const std::string& content) {
  return {{"id", id}, {"type", "copy"}, {"params", {{"dest", dest}, {"content", content}}}};
}

std::string AgentFixture::writeManifest(const nlohmann::json& manifest) {
  const auto path = tmp_.path() / fmt::format("manifest-{}.json", ++manifests_);
  writeFile(path, manifest.dump(2), 0644);
  return path.string();
}

std::vector<std::string> AgentFixture::applyArgv(const std::string& manifest_path,
                                                 const std::vector<std::string>& extra) const {
  std::vector<std::string> argv{agentBinary(), "apply",        "--manifest",  manifest_path,
                                "--root",      root_.string(), "--state-dir", state_.string()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

RunResult AgentFixture::apply(const nlohmann::json& manifest, const std::vector<std::string>& extra,
                              const SpawnOptions& options, std::chrono::milliseconds deadline) {
  return runProgram(applyArgv(writeManifest(manifest), extra), options, deadline);
}

nlohmann::json parseReport(const std::string& out) {
  auto doc = nlohmann::json::parse(out, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return nullptr;
  return doc;
}

nlohmann::json resourceEntry(const nlohmann::json& report, const std::string& id) {
  if (!report.is_object() || !report.contains("resources")) return nullptr;
  for (const auto& entry : report["resources"]) {
    if (entry.value("id", "") == id) return entry;
  }
  return nullptr;
}

std::string reasonOf(const nlohmann::json& report, const std::string& id) {
  const auto entry = resourceEntry(report, id);
  return entry.is_object() ? entry.value("reason", "") : "<no entry>";
}

std::string outcomeOf(const nlohmann::json& report, const std::string& id) {
  const auto entry = resourceEntry(report, id);
  return entry.is_object() ? entry.value("outcome", "") : "<no entry>";
}

std::size_t countOccurrences(const std::string& haystack, const std::string& needle) {
  std::size_t count = 0;
  for (auto at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

}  // namespace sc::testing
