#include "agent/host/posix_host.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <vector>

#include "agent/host/process.h"
#include "common/fs/atomic_file.h"
#include "common/limits.h"
#include "common/random.h"

namespace sc::agent {
namespace {

using fs::UniqueFd;

constexpr std::size_t kMaxCachedDirectories = 4096;

FileType typeOf(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFREG:
      return FileType::Regular;
    case S_IFDIR:
      return FileType::Directory;
    case S_IFLNK:
      return FileType::Symlink;
    case S_IFIFO:
      return FileType::Fifo;
    case S_IFSOCK:
      return FileType::Socket;
    case S_IFCHR:
      return FileType::CharDevice;
    case S_IFBLK:
      return FileType::BlockDevice;
    default:
      return FileType::Missing;
  }
}

FileInfo infoOf(const struct stat& st) {
  FileInfo info;
  info.type = typeOf(st.st_mode);
  info.mode = st.st_mode & 07777;
  info.uid = st.st_uid;
  info.gid = st.st_gid;
  info.size = static_cast<std::uint64_t>(st.st_size);
  info.nlink = st.st_nlink;
  info.inode = st.st_ino;
  info.device = st.st_dev;
  info.mtime_ns = st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec;
  info.atime_ns = st.st_atim.tv_sec * 1'000'000'000LL + st.st_atim.tv_nsec;
  return info;
}

bool underPrefix(const std::string& path, const std::string& prefix) {
  if (prefix == "/") return true;
  return path == prefix ||
         (path.size() > prefix.size() && path.compare(0, prefix.size(), prefix) == 0 &&
          path[prefix.size()] == '/');
}

std::string baseName(const std::string& path) { return path.substr(path.rfind('/') + 1); }

Error unsafeSymlink(const std::string& path) {
  return Error(ErrorCode::UnsafePath,
               fmt::format("'{}' is a symlink; managed paths never pass through symlinks", path));
}

// Applies owner and mode to an open file (owner first: chown clears set-id bits).
Result<void> applyAttrsToFd(int fd, const FileAttrs& attrs) {
  if (attrs.uid || attrs.gid) {
    if (::fchown(fd, attrs.uid.value_or(static_cast<uid_t>(-1)),
                 attrs.gid.value_or(static_cast<gid_t>(-1))) != 0) {
      return errnoError(errno, "cannot set owner");
    }
  }
  if (attrs.mode && ::fchmod(fd, *attrs.mode) != 0) return errnoError(errno, "cannot set mode");
  return ok();
}

// Removes everything inside an open directory, never following links.
Result<void> removeContents(int dir_fd, int depth) {
  if (depth > 256) return Error(ErrorCode::TooDeep, "directory tree deeper than 256 levels");
  const int copy = ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return errnoError(errno, "cannot duplicate a directory descriptor");
  DIR* dir = ::fdopendir(copy);
  if (dir == nullptr) {
    ::close(copy);
    return errnoError(errno, "cannot list a directory");
  }
  std::vector<std::pair<std::string, bool>> entries;
  while (const dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    struct stat st {};
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    entries.emplace_back(name, S_ISDIR(st.st_mode));
  }
  ::closedir(dir);
  for (const auto& [name, is_dir] : entries) {
    if (is_dir) {
      UniqueFd child(
          ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!child.valid()) return errnoError(errno, fmt::format("cannot open '{}'", name));
      SC_TRY(removeContents(child.get(), depth + 1));
      if (::unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) != 0) {
        return errnoError(errno, fmt::format("cannot remove '{}'", name));
      }
    } else if (::unlinkat(dir_fd, name.c_str(), 0) != 0) {
      return errnoError(errno, fmt::format("cannot remove '{}'", name));
    }
  }
  return ok();
}

}  // namespace

Result<std::unique_ptr<PosixHost>> PosixHost::open(PosixHostOptions options) {
  if (options.root.empty()) options.root = "/";
  while (options.root.size() > 1 && options.root.back() == '/') options.root.pop_back();
  // The root itself is the operator's choice and may be reached through
  // symlinks; only what lies under it is walked without following.
  UniqueFd fd(::open(options.root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) {
    return errnoError(errno, fmt::format("cannot open root directory '{}'", options.root));
  }
  return std::unique_ptr<PosixHost>(new PosixHost(std::move(options), std::move(fd)));
}

PosixHost::PosixHost(PosixHostOptions options, UniqueFd root_fd)
    : options_(std::move(options)), root_fd_(std::move(root_fd)) {}

std::string PosixHost::realPath(const std::string& path) const {
  if (options_.root == "/") return path;
  return path == "/" ? options_.root : options_.root + path;
}

Result<int> PosixHost::openDirectory(const std::string& path) {
  if (path == "/") return root_fd_.get();
  if (auto it = dir_cache_.find(path); it != dir_cache_.end()) return it->second.get();
  auto parent = openDirectory(parentPath(path));
  if (!parent) return parent.error();
  const std::string name = baseName(path);
  UniqueFd fd(::openat(*parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) {
    const int err = errno;
    struct stat st {};
    if ((err == ELOOP || err == ENOTDIR) &&
        ::fstatat(*parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
      if (S_ISLNK(st.st_mode)) return unsafeSymlink(path);
      return Error(ErrorCode::Conflict, fmt::format("'{}' is a {}, not a directory", path,
                                                    fileTypeName(typeOf(st.st_mode))));
    }
    return errnoError(err, fmt::format("cannot open directory '{}'", path));
  }
  if (dir_cache_.size() >= kMaxCachedDirectories) dir_cache_.clear();
  const int raw = fd.get();
  dir_cache_.emplace(path, std::move(fd));
  return raw;
}

Result<PosixHost::Entry> PosixHost::locate(const std::string& path) {
  SC_TRY(checkManagedPath(path));
  if (!options_.allowed_prefixes.empty()) {
    bool allowed = false;
    for (const auto& prefix : options_.allowed_prefixes)
      allowed = allowed || underPrefix(path, prefix);
    if (!allowed) {
      return Error(ErrorCode::NotPermitted,
                   fmt::format("'{}' is outside the paths this agent may manage", path));
    }
  }
  if (path == "/") return Entry{root_fd_.get(), {}};
  auto dir = openDirectory(parentPath(path));
  if (!dir) return dir.error();
  return Entry{*dir, baseName(path)};
}

void PosixHost::sweepOnce(const std::string& dir_path, int dir_fd) {
  if (swept_.insert(dir_path).second) fs::sweepTempFiles(dir_fd);
}

void PosixHost::forgetDirectories(const std::string& prefix) {
  for (auto it = dir_cache_.begin(); it != dir_cache_.end();) {
    it = underPrefix(it->first, prefix) ? dir_cache_.erase(it) : std::next(it);
  }
}

Result<FileInfo> PosixHost::stat(const std::string& path) {
  auto entry = locate(path);
  if (!entry) {
    // A missing parent means a missing path; anything else is an error.
    if (entry.error().code() == ErrorCode::NotFound) return FileInfo{};
    return entry.error();
  }
  struct stat st {};
  const int done = entry->name.empty()
                       ? ::fstat(entry->dir_fd, &st)
                       : ::fstatat(entry->dir_fd, entry->name.c_str(), &st, AT_SYMLINK_NOFOLLOW);
  if (done != 0) {
    if (errno == ENOENT) return FileInfo{};
    return errnoError(errno, fmt::format("cannot stat '{}'", path));
  }
  return infoOf(st);
}

Result<std::string> PosixHost::readFile(const std::string& path, std::uint64_t max_bytes) {
  auto entry = locate(path);
  if (!entry) return entry.error();
  // Look before opening: opening a FIFO or a device can block or act (B-22).
  struct stat before {};
  if (::fstatat(entry->dir_fd, entry->name.c_str(), &before, AT_SYMLINK_NOFOLLOW) != 0) {
    return errnoError(errno, fmt::format("cannot read '{}'", path));
  }
  if (S_ISLNK(before.st_mode)) return unsafeSymlink(path);
  if (!S_ISREG(before.st_mode)) {
    return Error(ErrorCode::UnsupportedFileType,
                 fmt::format("'{}' is a {}, not a regular file", path,
                             fileTypeName(typeOf(before.st_mode))));
  }
  if (static_cast<std::uint64_t>(before.st_size) > max_bytes) {
    return Error(ErrorCode::TooLarge, fmt::format("'{}' is {} bytes, over the limit of {}", path,
                                                  before.st_size, max_bytes));
  }
  UniqueFd fd(::openat(entry->dir_fd, entry->name.c_str(),
                       O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ELOOP) return unsafeSymlink(path);
    return errnoError(errno, fmt::format("cannot open '{}'", path));
  }
  struct stat after {};
  if (::fstat(fd.get(), &after) != 0 || !S_ISREG(after.st_mode) || after.st_ino != before.st_ino) {
    return Error(ErrorCode::UnsafePath, fmt::format("'{}' changed while being opened", path));
  }
  auto content = fs::readAllCapped(fd.get(), max_bytes);
  if (!content) return std::move(content.error()).withContext(fmt::format("reading '{}'", path));
  return content;
}

Result<std::string> PosixHost::readLink(const std::string& path) {
  auto entry = locate(path);
  if (!entry) return entry.error();
  std::string buffer(limits::kMaxPathBytes + 1, '\0');
  const ssize_t length =
      ::readlinkat(entry->dir_fd, entry->name.c_str(), buffer.data(), buffer.size());
  if (length < 0) return errnoError(errno, fmt::format("cannot read link '{}'", path));
  buffer.resize(static_cast<std::size_t>(length));
  return buffer;
}

Result<uid_t> PosixHost::userId(const std::string& name) {
  if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos &&
      name.size() < 10) {
    return static_cast<uid_t>(std::stoul(name));
  }
  std::vector<char> buffer(16384);
  struct passwd pwd {};
  struct passwd* found = nullptr;
  if (::getpwnam_r(name.c_str(), &pwd, buffer.data(), buffer.size(), &found) != 0 || !found) {
    return Error(ErrorCode::NotFound, fmt::format("unknown user '{}'", name));
  }
  return found->pw_uid;
}

Result<gid_t> PosixHost::groupId(const std::string& name) {
  if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos &&
      name.size() < 10) {
    return static_cast<gid_t>(std::stoul(name));
  }
  std::vector<char> buffer(16384);
  struct group grp {};
  struct group* found = nullptr;
  if (::getgrnam_r(name.c_str(), &grp, buffer.data(), buffer.size(), &found) != 0 || !found) {
    return Error(ErrorCode::NotFound, fmt::format("unknown group '{}'", name));
  }
  return found->gr_gid;
}

std::string PosixHost::userName(uid_t uid) {
  if (const auto it = user_names_.find(uid); it != user_names_.end()) return it->second;
  std::vector<char> buffer(16384);
  struct passwd pwd {};
  struct passwd* found = nullptr;
  std::string name = std::to_string(uid);
  if (::getpwuid_r(uid, &pwd, buffer.data(), buffer.size(), &found) == 0 && found) {
    name = found->pw_name;
  }
  return user_names_.emplace(uid, std::move(name)).first->second;
}

std::string PosixHost::groupName(gid_t gid) {
  if (const auto it = group_names_.find(gid); it != group_names_.end()) return it->second;
  std::vector<char> buffer(16384);
  struct group grp {};
  struct group* found = nullptr;
  std::string name = std::to_string(gid);
  if (::getgrgid_r(gid, &grp, buffer.data(), buffer.size(), &found) == 0 && found) {
    name = found->gr_name;
  }
  return group_names_.emplace(gid, std::move(name)).first->second;
}

Result<void> PosixHost::writeFile(const std::string& path, std::string_view content,
                                  const FileAttrs& attrs, const BeforeCommit& before_commit) {
  auto entry = locate(path);
  if (!entry) return entry.error();
  if (entry->name.empty()) return Error(ErrorCode::Conflict, "cannot write over '/'");
  fs::AtomicWriteOptions options;
  options.mode = attrs.mode.value_or(0644);
  options.uid = attrs.uid;
  options.gid = attrs.gid;
  // A replaced file keeps the owner and mode it had unless told otherwise.
  struct stat existing {};
  if (::fstatat(entry->dir_fd, entry->name.c_str(), &existing, AT_SYMLINK_NOFOLLOW) == 0) {
    if (S_ISDIR(existing.st_mode)) {
      return Error(ErrorCode::Conflict, fmt::format("'{}' is a directory", path));
    }
    if (S_ISREG(existing.st_mode)) {
      if (!attrs.mode) options.mode = existing.st_mode & 07777;
      if (!attrs.uid && existing.st_uid != ::geteuid()) options.uid = existing.st_uid;
      if (!attrs.gid && existing.st_gid != ::getegid()) options.gid = existing.st_gid;
    }
  }
  if (before_commit) {
    const std::string dir_real = realPath(parentPath(path));
    // dir_real is captured by value: it goes out of scope before the call.
    options.before_commit = [dir_real, &before_commit](int /*dir_fd*/, const std::string& temp) {
      return before_commit((dir_real == "/" ? "" : dir_real) + "/" + temp);
    };
  }
  sweepOnce(parentPath(path), entry->dir_fd);
  auto written = fs::writeFileAtomicAt(entry->dir_fd, entry->name, content, options);
  if (!written) return std::move(written.error()).withContext(fmt::format("writing '{}'", path));
  return ok();
}

Result<void> PosixHost::makeDirectory(const std::string& path, const FileAttrs& attrs) {
  auto entry = locate(path);
  if (!entry) return entry.error();
  if (entry->name.empty()) return ok();
  if (::mkdirat(entry->dir_fd, entry->name.c_str(), 0700) != 0 && errno != EEXIST) {
    return errnoError(errno, fmt::format("cannot create directory '{}'", path));
  }
  // Created 0700 so nobody else can use it before it has its final owner and
  // mode; the mode is applied on the descriptor, never through a path.
  auto dir = openDirectory(path);
  if (!dir) return dir.error();
  FileAttrs final_attrs = attrs;
  if (!final_attrs.mode) {
    struct stat st {};
    if (::fstat(*dir, &st) == 0 && (st.st_mode & 07777) == 0700) final_attrs.mode = 0755;
  }
  SC_TRY(applyAttrsToFd(*dir, final_attrs));
  if (::fsync(entry->dir_fd) != 0) return errnoError(errno, "fsync of the parent failed");
  return ok();
}

Result<void> PosixHost::setAttrs(const std::string& path, const FileAttrs& attrs) {
  auto entry = locate(path);
  if (!entry) return entry.error();
  if (entry->name.empty()) return applyAttrsToFd(entry->dir_fd, attrs);
  // O_PATH | O_NOFOLLOW pins the inode without following or opening it; the
  // type is checked on the pinned inode, so a swapped-in symlink is never
  // followed (T-22).
  UniqueFd fd(::openat(entry->dir_fd, entry->name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return errnoError(errno, fmt::format("cannot open '{}'", path));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errnoError(errno, fmt::format("cannot stat '{}'", path));
  // Another name of a hard-linked file may lie outside the managed tree (a
  // link to /etc/shadow): its owner and mode are never changed (T-22).
  if (!S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode) && st.st_nlink > 1) {
    return Error(ErrorCode::UnsafePath,
                 fmt::format("'{}' has {} hard links; owner and mode are not changed through one",
                             path, st.st_nlink));
  }
  if (attrs.uid || attrs.gid) {
    if (::fchownat(fd.get(), "", attrs.uid.value_or(static_cast<uid_t>(-1)),
                   attrs.gid.value_or(static_cast<gid_t>(-1)), AT_EMPTY_PATH) != 0) {
      return errnoError(errno, fmt::format("cannot set the owner of '{}'", path));
    }
  }
  if (attrs.mode && !S_ISLNK(st.st_mode)) {
    const std::string proc = fmt::format("/proc/self/fd/{}", fd.get());
    if (::chmod(proc.c_str(), *attrs.mode) != 0) {
      return errnoError(errno, fmt::format("cannot set the mode of '{}'", path));
    }
  }
  return ok();
}

Result<void> PosixHost::makeSymlink(const std::string& path, const std::string& target) {
  auto entry = locate(path);
  if (!entry) return entry.error();
  const std::string temp = "." + entry->name.substr(0, 200) + ".sc-tmp-" + randomHex(8);
  sweepOnce(parentPath(path), entry->dir_fd);
  if (::symlinkat(target.c_str(), entry->dir_fd, temp.c_str()) != 0) {
    return errnoError(errno, fmt::format("cannot create link '{}'", path));
  }
  if (::renameat(entry->dir_fd, temp.c_str(), entry->dir_fd, entry->name.c_str()) != 0) {
    const int err = errno;
    ::unlinkat(entry->dir_fd, temp.c_str(), 0);
    return errnoError(err, fmt::format("cannot put link '{}' in place", path));
  }
  forgetDirectories(path);
  if (::fsync(entry->dir_fd) != 0) return errnoError(errno, "fsync of the directory failed");
  return ok();
}

Result<void> PosixHost::makeHardLink(const std::string& path, const std::string& existing) {
  auto source = locate(existing);
  if (!source) return source.error();
  const int source_dir = source->dir_fd;
  const std::string source_name = source->name;
  auto entry = locate(path);
  if (!entry) return entry.error();
  const std::string temp = "." + entry->name.substr(0, 200) + ".sc-tmp-" + randomHex(8);
  sweepOnce(parentPath(path), entry->dir_fd);
  if (::linkat(source_dir, source_name.c_str(), entry->dir_fd, temp.c_str(), 0) != 0) {
    return errnoError(errno, fmt::format("cannot link '{}' to '{}'", path, existing));
  }
  if (::renameat(entry->dir_fd, temp.c_str(), entry->dir_fd, entry->name.c_str()) != 0) {
    const int err = errno;
    ::unlinkat(entry->dir_fd, temp.c_str(), 0);
    return errnoError(err, fmt::format("cannot put link '{}' in place", path));
  }
  if (::fsync(entry->dir_fd) != 0) return errnoError(errno, "fsync of the directory failed");
  return ok();
}

Result<void> PosixHost::remove(const std::string& path) {
  auto entry = locate(path);
  if (!entry) return entry.error();
  if (entry->name.empty()) return Error(ErrorCode::Conflict, "refusing to remove '/'");
  struct stat st {};
  if (::fstatat(entry->dir_fd, entry->name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return ok();
    return errnoError(errno, fmt::format("cannot stat '{}'", path));
  }
  if (S_ISDIR(st.st_mode)) {
    auto dir = openDirectory(path);
    if (!dir) return dir.error();
    SC_TRY(removeContents(*dir, 0));
    forgetDirectories(path);
    if (::unlinkat(entry->dir_fd, entry->name.c_str(), AT_REMOVEDIR) != 0) {
      return errnoError(errno, fmt::format("cannot remove '{}'", path));
    }
  } else if (::unlinkat(entry->dir_fd, entry->name.c_str(), 0) != 0) {
    return errnoError(errno, fmt::format("cannot remove '{}'", path));
  }
  if (::fsync(entry->dir_fd) != 0) return errnoError(errno, "fsync of the directory failed");
  return ok();
}

Result<void> PosixHost::setTimes(const std::string& path, std::int64_t atime_ns,
                                 std::int64_t mtime_ns) {
  auto entry = locate(path);
  if (!entry) return entry.error();
  const struct timespec times[2] = {
      {static_cast<time_t>(atime_ns / 1'000'000'000), static_cast<long>(atime_ns % 1'000'000'000)},
      {static_cast<time_t>(mtime_ns / 1'000'000'000), static_cast<long>(mtime_ns % 1'000'000'000)}};
  if (::utimensat(entry->dir_fd, entry->name.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) {
    return errnoError(errno, fmt::format("cannot set the times of '{}'", path));
  }
  return ok();
}

Result<CommandResult> PosixHost::run(const Command& command) {
  std::string cwd = "/";
  if (!command.chdir.empty()) {
    auto info = stat(command.chdir);
    if (!info) return info.error();
    if (info->type != FileType::Directory) {
      return Error(ErrorCode::NotFound,
                   fmt::format("chdir '{}' is not a directory", command.chdir));
    }
    cwd = realPath(command.chdir);
  } else {
    cwd = realPath("/");
  }
  return runProcess(command, cwd);
}

std::int64_t PosixHost::nowNs() const {
  struct timespec now {};
  ::clock_gettime(CLOCK_REALTIME, &now);
  return now.tv_sec * 1'000'000'000LL + now.tv_nsec;
}

}  // namespace sc::agent
