// Support for the integration tests: run the real sc-agent binary (or any
// program) with a deadline, capture what it prints, and inspect the real
// files it leaves behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/test_tree.h"

namespace sc::testing {

// The sc-agent built next to the tests (dev build: sanitizers, crash points).
std::string agentBinary();

struct SpawnOptions {
  std::map<std::string, std::string> env;  // added to (or replacing) the test's environment
  std::vector<std::string> unset_env;      // removed from it
  std::optional<mode_t> umask;
};

struct RunResult {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;      // the signal that ended it, 0 if it exited
  bool timed_out = false;
  std::string out;
  std::string err;
  double seconds = 0;
  std::string describe() const;  // for failure messages
};

// A started child process; killed (SIGKILL) and reaped on destruction if
// still running. Its stdout and stderr go to memory files read on wait().
class Process {
 public:
  Process(const std::vector<std::string>& argv, const SpawnOptions& options = {});
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  // Waits for the exit; at the deadline sends SIGKILL and sets timed_out.
  RunResult wait(std::chrono::milliseconds deadline);
  // True if it exited within `deadline` (the result is then kept for wait()).
  bool exitedWithin(std::chrono::milliseconds deadline);
  void kill(int sig);

 private:
  bool reap(int flags);
  pid_t pid_ = -1;
  int pidfd_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  std::chrono::steady_clock::time_point started_;
};

RunResult runProgram(const std::vector<std::string>& argv, const SpawnOptions& options = {},
                     std::chrono::milliseconds deadline = std::chrono::seconds(60));

// Small filesystem helpers; all fail the current test (ADD_FAILURE) on errors.
void writeFile(const std::filesystem::path& path, const std::string& content, mode_t mode = 0644);
std::optional<std::string> readFile(const std::filesystem::path& path);
// Every path under `dir` (recursively, never following links) whose name
// contains ".sc-tmp-".
std::vector<std::string> tempFilesUnder(const std::filesystem::path& dir);
// Path, type, mode, owner, size, link target and content of everything under
// `dir`: equal digests mean nothing there changed.
std::string treeDigest(const std::filesystem::path& dir, bool with_nlink = true);
// Pids of processes whose command line is exactly `argv`.
std::vector<pid_t> processesWithCmdline(const std::vector<std::string>& argv);

// Mount that is lazily unmounted on destruction (even when the test fails).
class MountGuard {
 public:
  MountGuard() = default;
  ~MountGuard();
  MountGuard(const MountGuard&) = delete;
  MountGuard& operator=(const MountGuard&) = delete;
  // Returns an error text, empty on success.
  std::string mountTmpfs(const std::filesystem::path& at, const std::string& options);
  std::string bindReadOnly(const std::filesystem::path& source, const std::filesystem::path& at);

 private:
  std::vector<std::filesystem::path> mounted_;
};

// Builds manifests and runs `sc-agent apply` against a fresh root and state
// directory in a temp dir.
class AgentFixture {
 public:
  AgentFixture();
  const std::filesystem::path& tmp() const { return tmp_.path(); }
  const std::filesystem::path& root() const { return root_; }
  const std::filesystem::path& stateDir() const { return state_; }
  // The real path of managed path `path` ("/etc/x" -> <root>/etc/x).
  std::filesystem::path real(const std::string& path) const;

  static nlohmann::json manifest(nlohmann::json resources);
  static nlohmann::json copy(const std::string& id, const std::string& dest,
                             const std::string& content);

  std::string writeManifest(const nlohmann::json& manifest);
  // `sc-agent apply --manifest M --root R --state-dir S [extra...]`.
  RunResult apply(const nlohmann::json& manifest,
                  const std::vector<std::string>& extra = {"--json"},
                  const SpawnOptions& options = {},
                  std::chrono::milliseconds deadline = std::chrono::seconds(60));
  std::vector<std::string> applyArgv(const std::string& manifest_path,
                                     const std::vector<std::string>& extra) const;

 private:
  TempDir tmp_;
  std::filesystem::path root_;
  std::filesystem::path state_;
  int manifests_ = 0;
};

// The parsed --json report (null json if stdout is not one JSON document).
nlohmann::json parseReport(const std::string& out);
// The report entry with this id (null json if absent).
nlohmann::json resourceEntry(const nlohmann::json& report, const std::string& id);
std::string reasonOf(const nlohmann::json& report, const std::string& id);
std::string outcomeOf(const nlohmann::json& report, const std::string& id);

std::size_t countOccurrences(const std::string& haystack, const std::string& needle);

}  // namespace sc::testing
