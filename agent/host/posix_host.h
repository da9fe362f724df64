// PosixHost: the Host that touches the real machine, and the only code in
// the agent that does (STYLE.md section 2).
//
// Every managed path is resolved under `root` one component at a time with
// openat(O_NOFOLLOW | O_DIRECTORY), so no symlink in a path is ever
// followed, whoever swaps one in (SECURITY.md T-22). Directory descriptors
// opened on the way are cached for the life of the host (one run): a
// 1,000-file manifest opens each directory once. A cached descriptor keeps
// naming the directory that was checked, even if it is later moved.
#pragma once

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "agent/host/host.h"
#include "common/fs/unique_fd.h"

namespace sc::agent {

struct PosixHostOptions {
  // Directory that managed paths live under ("" or "/" for the real root).
  std::string root;
  // When not empty, managed paths outside these prefixes are refused with
  // NotPermitted (an unprivileged agent's scope, SECURITY.md T-29).
  std::vector<std::string> allowed_prefixes;
};

class PosixHost final : public Host {
 public:
  // Fails when the root cannot be opened as a directory.
  static Result<std::unique_ptr<PosixHost>> open(PosixHostOptions options);

  Result<FileInfo> stat(const std::string& path) override;
  Result<std::string> readFile(const std::string& path, std::uint64_t max_bytes) override;
  Result<std::string> readLink(const std::string& path) override;
  Result<uid_t> userId(const std::string& name) override;
  Result<gid_t> groupId(const std::string& name) override;
  std::string userName(uid_t uid) override;
  std::string groupName(gid_t gid) override;
  std::string realPath(const std::string& path) const override;

  Result<void> writeFile(const std::string& path, std::string_view content, const FileAttrs& attrs,
                         const BeforeCommit& before_commit) override;
  Result<void> makeDirectory(const std::string& path, const FileAttrs& attrs) override;
  Result<void> setAttrs(const std::string& path, const FileAttrs& attrs) override;
  Result<void> makeSymlink(const std::string& path, const std::string& target) override;
  Result<void> makeHardLink(const std::string& path, const std::string& existing) override;
  Result<void> remove(const std::string& path) override;
  Result<void> setTimes(const std::string& path, std::int64_t atime_ns,
                        std::int64_t mtime_ns) override;
  Result<CommandResult> run(const Command& command) override;
  std::int64_t nowNs() const override;

 private:
  PosixHost(PosixHostOptions options, fs::UniqueFd root_fd);

  // The open directory for a managed directory path (cached).
  Result<int> openDirectory(const std::string& path);
  struct Entry {
    int dir_fd;
    std::string name;  // last component; empty for "/"
  };
  // Checks the path and opens its parent directory.
  Result<Entry> locate(const std::string& path);
  // First change in a directory this run: remove temp files a killed run left.
  void sweepOnce(const std::string& dir_path, int dir_fd);
  void forgetDirectories(const std::string& prefix);

  PosixHostOptions options_;
  fs::UniqueFd root_fd_;
  std::unordered_map<std::string, fs::UniqueFd> dir_cache_;
  std::unordered_set<std::string> swept_;
  // NSS lookups read /etc/passwd and /etc/group each time; a run asks for
  // the same few owners over and over.
  std::unordered_map<uid_t, std::string> user_names_;
  std::unordered_map<gid_t, std::string> group_names_;
};

}  // namespace sc::agent
