#include "common/fs/atomic_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "common/fs/crashpoint.h"
#include "common/fs/unique_fd.h"
#include "common/random.h"

namespace sc::fs {
namespace {

constexpr std::string_view kTempMarker = ".sc-tmp-";
constexpr std::size_t kTempRandomHex = 16;  // 64 random bits (SECURITY.md baseline)

std::string tempNameFor(std::string_view name) {
  // Keep the temp name within NAME_MAX whatever the target's length.
  const std::string_view stem = name.substr(0, 200);
  return fmt::format(".{}{}{}", stem, kTempMarker, randomHex(kTempRandomHex / 2));
}

}  // namespace

Result<void> writeFileAtomic(const std::filesystem::path& path, std::string_view content,
                             const AtomicWriteOptions& options) {
  const auto dir_path = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  UniqueFd dir(::open(dir_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) return errnoError(errno, "cannot open the directory", dir_path.string());
  if (auto written = writeFileAtomicAt(dir.get(), path.filename().string(), content, options);
      !written) {
    return std::move(written.error()).withWhere(path.string());
  }
  return {};
}

bool isTempName(std::string_view name) {
  if (name.empty() || name.front() != '.') return false;
  const auto at = name.rfind(kTempMarker);
  if (at == std::string_view::npos) return false;
  const auto suffix = name.substr(at + kTempMarker.size());
  return suffix.size() == kTempRandomHex &&
         suffix.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

std::size_t sweepTempFiles(int dir_fd) {
  const int copy = ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return 0;
  DIR* dir = ::fdopendir(copy);
  if (dir == nullptr) {
    ::close(copy);
    return 0;
  }
  std::vector<std::string> stale;
  while (const dirent* entry = ::readdir(dir)) {
    if (isTempName(entry->d_name)) stale.emplace_back(entry->d_name);
  }
  ::closedir(dir);
  std::size_t removed = 0;
  for (const auto& name : stale) {
    if (::unlinkat(dir_fd, name.c_str(), 0) == 0) ++removed;
  }
  return removed;
}

Result<void> writeAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return errnoError(errno, "write failed");
    }
    data.remove_prefix(static_cast<std::size_t>(written));
  }
  return ok();
}

Result<std::string> readAllCapped(int fd, std::uint64_t max_bytes) {
  const auto tooLarge = [&] {
    return Error(ErrorCode::TooLarge,
                 fmt::format("content is over the limit of {} bytes", max_bytes));
  };
  // A regular file's size is known: one allocation of that size.
  struct stat st {};
  const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  std::string out;
  if (regular && st.st_size > 0) {
    out.reserve(static_cast<std::size_t>(
        std::min<std::uint64_t>(static_cast<std::uint64_t>(st.st_size), max_bytes) + 1));
  }
  // A pipe or socket has no size: its bytes are kept in chunks and joined
  // at the end, never by a string doubling its way up (which holds the old
  // and the new copy at once). An endless stream stops at the first byte
  // past the limit, having held no more than the limit (SECURITY.md T-07).
  constexpr std::size_t kChunkBytes = 1 << 20;
  std::vector<std::string> chunks;
  std::uint64_t total = 0;
  char buffer[65536];
  while (true) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0) {
      if (errno == EINTR) continue;
      return errnoError(errno, "read failed");
    }
    if (got == 0) break;
    const auto size = static_cast<std::size_t>(got);
    total += size;
    if (total > max_bytes) return tooLarge();
    if (regular) {
      out.append(buffer, size);
      continue;
    }
    if (chunks.empty() || chunks.back().size() + size > kChunkBytes) {
      chunks.emplace_back();
      chunks.back().reserve(kChunkBytes);
    }
    chunks.back().append(buffer, size);
  }
  if (!regular) {
    out.reserve(static_cast<std::size_t>(total));
    for (auto& chunk : chunks) {
      out += chunk;
      std::string().swap(chunk);
    }
  }
  return out;
}

Result<void> writeFileAtomicAt(int dir_fd, std::string_view name, std::string_view content,
                               const AtomicWriteOptions& options) {
  const std::string temp = tempNameFor(name);
  UniqueFd fd(
      ::openat(dir_fd, temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid()) return errnoError(errno, "cannot create a temporary file");
  crashpoint("open-temp");
  const auto fail = [&](Error error) -> Result<void> {
    fd.reset();
    ::unlinkat(dir_fd, temp.c_str(), 0);
    return error;
  };
  // Owner first: fchown clears set-id bits, so the mode comes after it.
  if (options.uid || options.gid) {
    const uid_t uid = options.uid ? *options.uid : static_cast<uid_t>(-1);
    const gid_t gid = options.gid ? *options.gid : static_cast<gid_t>(-1);
    if (::fchown(fd.get(), uid, gid) != 0) return fail(errnoError(errno, "cannot set owner"));
  }
  if (::fchmod(fd.get(), options.mode) != 0) return fail(errnoError(errno, "cannot set mode"));
  if (auto written = writeAll(fd.get(), content); !written) return fail(written.error());
  crashpoint("write");
  if (::fsync(fd.get()) != 0) return fail(errnoError(errno, "fsync failed"));
  crashpoint("fsync");
  if (::close(fd.release()) != 0) return fail(errnoError(errno, "close failed"));
  crashpoint("close");
  if (options.before_commit) {
    if (auto checked = options.before_commit(dir_fd, temp); !checked) return fail(checked.error());
    crashpoint("validate");
  }
  const std::string target(name);
  if (::renameat(dir_fd, temp.c_str(), dir_fd, target.c_str()) != 0) {
    return fail(errnoError(errno, "cannot rename the temporary file into place"));
  }
  crashpoint("rename");
  if (::fsync(dir_fd) != 0) return errnoError(errno, "fsync of the directory failed");
  crashpoint("dir-fsync");
  return ok();
}

Result<std::string> readFileCapped(const std::filesystem::path& path, std::uint64_t max_bytes) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return errnoError(errno, "cannot open the file", path.string());
  auto bytes = readAllCapped(fd.get(), max_bytes);
  if (!bytes) return std::move(bytes.error()).withWhere(path.string());
  return bytes;
}

}  // namespace sc::fs
