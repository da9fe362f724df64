// Host: the one seam between the resource engine and the operating system
// (STYLE.md section 2). Resources never call the OS themselves; they ask a
// Host. PosixHost does the real work; tests use FakeHost (tests/support).
//
// Paths are managed paths exactly as the manifest names them: absolute and
// normal (no "..", ".", "//" or trailing "/"). A host may map them under a
// root directory (`sc-agent apply --root`). A Host never follows a symlink
// in any component of a managed path (SECURITY.md T-22, T-23): a symlink
// where a directory is expected fails with ErrorCode::UnsafePath, and the
// last component is examined, not followed.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"

namespace sc::agent {

enum class FileType { Missing, Regular, Directory, Symlink, Fifo, Socket, CharDevice, BlockDevice };

std::string_view fileTypeName(FileType type);

struct FileInfo {
  FileType type = FileType::Missing;
  mode_t mode = 0;  // permission bits only (07777)
  uid_t uid = 0;
  gid_t gid = 0;
  std::uint64_t size = 0;
  std::uint64_t nlink = 0;
  std::uint64_t inode = 0;
  std::uint64_t device = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t atime_ns = 0;

  bool exists() const { return type != FileType::Missing; }
};

// Owner and mode to give a file; unset fields are left as they are (new
// files: mode 0644 for files, 0755 for directories, the agent's user).
struct FileAttrs {
  std::optional<mode_t> mode;
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
};

struct Command {
  std::vector<std::string> argv;           // argv[0] is looked up in PATH
  std::string chdir;                       // managed path; empty: "/" of the host
  std::map<std::string, std::string> env;  // added to the allowlisted environment
  std::optional<std::string> stdin_data;
  std::chrono::milliseconds timeout{std::chrono::hours(1)};
  // Run as this user, with its groups, HOME, USER and LOGNAME (a playbook's
  // become_user); empty: as the agent itself. Switching needs root.
  std::string user;
};

struct CommandResult {
  int rc = 0;  // exit status; 128+N when killed by signal N
  std::string stdout_text;
  std::string stderr_text;
  bool truncated = false;  // output over limits::kMaxCommandOutputBytes was dropped
};

// Called with the host-real path of the staged file before it replaces the
// target; an error cancels the replacement (`validate:`).
using BeforeCommit = std::function<Result<void>(const std::string& staged_real_path)>;

class Host {
 public:
  virtual ~Host() = default;

  // --- reading: never changes anything ---------------------------------
  // Type and attributes of the path itself (lstat). Missing is not an error.
  virtual Result<FileInfo> stat(const std::string& path) = 0;
  // Content of a regular file, at most `max_bytes` (TooLarge beyond). Any
  // other file type fails UnsupportedFileType without blocking (B-22).
  virtual Result<std::string> readFile(const std::string& path, std::uint64_t max_bytes) = 0;
  virtual Result<std::string> readLink(const std::string& path) = 0;
  // Users and groups, by name or number.
  virtual Result<uid_t> userId(const std::string& name) = 0;
  virtual Result<gid_t> groupId(const std::string& name) = 0;
  virtual std::string userName(uid_t uid) = 0;  // the number as text if unknown
  virtual std::string groupName(gid_t gid) = 0;
  // The path a program on this host would use for a managed path (the root
  // prefix applied); for validate commands and messages.
  virtual std::string realPath(const std::string& path) const = 0;

  // --- changing ----------------------------------------------------------
  // Atomically replaces (or creates) a regular file; see common/fs/atomic_file.h.
  virtual Result<void> writeFile(const std::string& path, std::string_view content,
                                 const FileAttrs& attrs, const BeforeCommit& before_commit) = 0;
  virtual Result<void> makeDirectory(const std::string& path, const FileAttrs& attrs) = 0;
  virtual Result<void> setAttrs(const std::string& path, const FileAttrs& attrs) = 0;
  // Atomically points `path` at `target` (replacing what is there when it is
  // a file or link).
  virtual Result<void> makeSymlink(const std::string& path, const std::string& target) = 0;
  virtual Result<void> makeHardLink(const std::string& path, const std::string& existing) = 0;
  // Removes a file, link, or directory tree.
  virtual Result<void> remove(const std::string& path) = 0;
  // Sets access and modification times (nanoseconds since the epoch).
  virtual Result<void> setTimes(const std::string& path, std::int64_t atime_ns,
                                std::int64_t mtime_ns) = 0;
  // Runs a program (never through a shell unless argv says /bin/sh).
  virtual Result<CommandResult> run(const Command& command) = 0;

  // --- time --------------------------------------------------------------
  virtual std::int64_t nowNs() const = 0;
};

// Checks that a managed path is absolute and normal (SECURITY.md B-07).
Result<void> checkManagedPath(std::string_view path);

// "/a/b/c" -> "/a/b"; "/a" -> "/".
std::string parentPath(const std::string& path);

}  // namespace sc::agent
