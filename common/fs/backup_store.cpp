#include "common/fs/backup_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "common/fs/atomic_file.h"
#include "common/fs/unique_fd.h"
#include "common/hash.h"
#include "common/limits.h"

namespace sc::fs {
namespace {

constexpr const char* kIndex = "index.jsonl";

Result<void> makeDir(const std::filesystem::path& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return errnoError(errno, fmt::format("cannot create '{}'", dir.string()));
  }
  return ok();
}

}  // namespace

Result<void> BackupStore::ensureDirs() const {
  SC_TRY(makeDir(dir_));
  SC_TRY(makeDir(dir_ / "objects"));
  return ok();
}

Result<BackupEntry> BackupStore::save(const std::string& path, std::string_view content,
                                      mode_t mode, uid_t uid, gid_t gid, std::int64_t now) {
  SC_TRY(ensureDirs());
  BackupEntry entry;
  entry.sha256 = sha256Hex(content);
  entry.id = entry.sha256.substr(0, 12);
  entry.path = path;
  entry.time = now;
  entry.size = content.size();
  entry.mode = mode;
  entry.uid = uid;
  entry.gid = gid;

  const auto shard = dir_ / "objects" / entry.sha256.substr(0, 2);
  SC_TRY(makeDir(shard));
  UniqueFd shard_fd(::open(shard.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!shard_fd.valid()) return errnoError(errno, fmt::format("cannot open '{}'", shard.string()));
  struct stat existing {};
  if (::fstatat(shard_fd.get(), entry.sha256.c_str(), &existing, AT_SYMLINK_NOFOLLOW) != 0) {
    AtomicWriteOptions options;
    options.mode = 0600;
    if (auto written = writeFileAtomicAt(shard_fd.get(), entry.sha256, content, options);
        !written) {
      return std::move(written.error()).withContext("saving a backup");
    }
  }
  const nlohmann::json line{{"id", entry.id},     {"sha256", entry.sha256}, {"path", entry.path},
                            {"time", entry.time}, {"size", entry.size},     {"mode", entry.mode},
                            {"uid", entry.uid},   {"gid", entry.gid}};
  std::string text = line.dump() + "\n";
  const auto index = dir_ / kIndex;
  UniqueFd fd(::open(index.c_str(), O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid()) return errnoError(errno, fmt::format("cannot open '{}'", index.string()));
  // A line cut short by a crash must not swallow this one: end it first.
  struct stat index_stat {};
  char last = '\n';
  if (::fstat(fd.get(), &index_stat) == 0 && index_stat.st_size > 0 &&
      ::pread(fd.get(), &last, 1, index_stat.st_size - 1) == 1 && last != '\n') {
    text.insert(0, "\n");
  }
  SC_TRY(writeAll(fd.get(), text));
  if (::fsync(fd.get()) != 0) return errnoError(errno, "fsync of the backup index failed");
  return entry;
}

Result<std::vector<BackupEntry>> BackupStore::list(const std::optional<std::string>& path) const {
  std::vector<BackupEntry> out;
  const auto index = dir_ / kIndex;
  UniqueFd fd(::open(index.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return out;
    return errnoError(errno, fmt::format("cannot open '{}'", index.string()));
  }
  auto text = readAllCapped(fd.get(), 1ull << 30);
  if (!text) return text.error();
  std::size_t start = 0;
  std::size_t line_number = 0;
  while (start < text->size()) {
    auto end = text->find('\n', start);
    // A line cut short by a crash is skipped: the index is append-only.
    if (end == std::string::npos) break;
    ++line_number;
    const auto line = nlohmann::json::parse(text->begin() + static_cast<long>(start),
                                            text->begin() + static_cast<long>(end), nullptr,
                                            /*allow_exceptions=*/false);
    start = end + 1;
    if (!line.is_object() || !line.contains("sha256") || !line.contains("path")) continue;
    BackupEntry entry;
    entry.id = line.value("id", "");
    entry.sha256 = line.value("sha256", "");
    entry.path = line.value("path", "");
    entry.time = line.value("time", std::int64_t{0});
    entry.size = line.value("size", std::uint64_t{0});
    entry.mode = line.value("mode", mode_t{0});
    entry.uid = line.value("uid", uid_t{0});
    entry.gid = line.value("gid", gid_t{0});
    if (!path || entry.path == *path) out.push_back(std::move(entry));
  }
  return out;
}

Result<BackupEntry> BackupStore::find(const std::string& path,
                                      const std::optional<std::string>& id_prefix) const {
  auto entries = list(path);
  if (!entries) return entries.error();
  for (auto it = entries->rbegin(); it != entries->rend(); ++it) {
    if (!id_prefix || it->sha256.rfind(*id_prefix, 0) == 0) return *it;
  }
  if (id_prefix) {
    return Error(ErrorCode::NotFound,
                 fmt::format("no backup of '{}' with id '{}'", path, *id_prefix));
  }
  return Error(ErrorCode::NotFound, fmt::format("no backup of '{}'", path));
}

Result<std::string> BackupStore::read(const BackupEntry& entry) const {
  const auto object = dir_ / "objects" / entry.sha256.substr(0, 2) / entry.sha256;
  UniqueFd fd(::open(object.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return errnoError(errno, fmt::format("cannot open '{}'", object.string()));
  auto content = readAllCapped(fd.get(), 1ull << 32);
  if (!content) return content.error();
  if (sha256Hex(*content) != entry.sha256) {
    return Error(ErrorCode::Io, fmt::format("backup object '{}' is corrupt", object.string()));
  }
  return content;
}

}  // namespace sc::fs
