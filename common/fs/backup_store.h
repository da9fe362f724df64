// The content-addressed backup store (ARCHITECTURE.md decision 7): before a
// managed file is replaced or removed, its old bytes are kept under
// STATE/backups/objects/<sha256[0:2]>/<sha256>, and one line per backup is
// appended to STATE/backups/index.jsonl naming the path, time, mode and
// owner. Identical content is stored once. The directory is 0700 and every
// object 0600: backups can hold secrets (SECURITY.md T-25).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"

namespace sc::fs {

struct BackupEntry {
  std::string id;  // first 12 hex digits of sha256: what `--to` takes
  std::string sha256;
  std::string path;       // the managed path as the manifest names it
  std::int64_t time = 0;  // seconds since the epoch
  std::uint64_t size = 0;
  mode_t mode = 0;
  uid_t uid = 0;
  gid_t gid = 0;
};

class BackupStore {
 public:
  explicit BackupStore(std::filesystem::path dir) : dir_(std::move(dir)) {}

  // Keeps `content` as the version of `path` at `entry` time/mode/owner.
  Result<BackupEntry> save(const std::string& path, std::string_view content, mode_t mode,
                           uid_t uid, gid_t gid, std::int64_t now);

  // Every backup, oldest first; only those of `path` when given.
  Result<std::vector<BackupEntry>> list(const std::optional<std::string>& path) const;

  // Finds one version of `path`: the newest, or the one whose id starts
  // with `id_prefix`.
  Result<BackupEntry> find(const std::string& path,
                           const std::optional<std::string>& id_prefix) const;

  // The bytes of a backup, checked against its hash.
  Result<std::string> read(const BackupEntry& entry) const;

 private:
  Result<void> ensureDirs() const;
  std::filesystem::path dir_;
};

}  // namespace sc::fs
