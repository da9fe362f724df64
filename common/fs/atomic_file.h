// Replacing a file so that it is never seen half-written (ARCHITECTURE.md
// decision 7, SECURITY.md F-01, F-02, T-24): the content goes to a fresh
// temporary file in the same directory, created O_EXCL|O_NOFOLLOW with mode
// 0600 and given its final owner and mode before the first byte is written;
// it is fsynced, checked by the caller's hook (`validate:`), renamed over
// the target, and the directory is fsynced. On any failure the temporary
// file is removed and the target is untouched.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"

namespace sc::fs {

struct AtomicWriteOptions {
  mode_t mode = 0644;
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  // Runs on the staged file (closed, synced) just before the rename; an
  // error stops the replacement. Gets the directory fd and the temp name.
  std::function<Result<void>(int dir_fd, const std::string& temp_name)> before_commit;
};

// `dir_fd` is an open directory; `name` one path component in it.
Result<void> writeFileAtomicAt(int dir_fd, std::string_view name, std::string_view content,
                               const AtomicWriteOptions& options);

// The same for a path: opens its directory (".", when it names none).
Result<void> writeFileAtomic(const std::filesystem::path& path, std::string_view content,
                             const AtomicWriteOptions& options);

// True for names writeFileAtomicAt() gives its temporary files, so that
// leftovers of a killed run can be swept.
bool isTempName(std::string_view name);

// Removes leftover temporary files in an open directory; returns how many.
std::size_t sweepTempFiles(int dir_fd);

// Writes all of `data` to `fd`, retrying short writes and EINTR.
Result<void> writeAll(int fd, std::string_view data);

// Reads at most `max_bytes` + 1 bytes; TooLarge when there are more.
Result<std::string> readAllCapped(int fd, std::uint64_t max_bytes);
// The same for a file; errors name `path`.
Result<std::string> readFileCapped(const std::filesystem::path& path, std::uint64_t max_bytes);

}  // namespace sc::fs
