// The agent's state directory (/var/lib/smartcookies by default): the run
// lock, handler notifications still owed, what each resource last converged
// to (to tell drift repairs from first applies), the serial of the last
// signed manifest, the backup store, and the Python facts cache.
// The directory is 0700 and every file in it 0600 (SECURITY.md T-25).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "common/error.h"
#include "common/fs/backup_store.h"
#include "common/fs/unique_fd.h"

namespace sc::agent {

class RunLock {
 public:
  RunLock() = default;
  explicit RunLock(fs::UniqueFd fd) : fd_(std::move(fd)) {}
  RunLock(RunLock&&) = default;
  RunLock& operator=(RunLock&&) = default;
  // Releasing the lock normally (even after an error) marks the run
  // finished; only a killed process leaves the "running" mark behind.
  ~RunLock() { markFinished(); }
  // Marks the run as finished cleanly; a lock file still marked "running"
  // when the next run starts means that run was killed.
  void markFinished();
  bool held() const { return fd_.valid(); }

 private:
  fs::UniqueFd fd_;
};

// The last signed manifest this host took on (agent/verify/admission.h):
// written before its run starts and again when the run ends, so a rollback
// is refused even across a crash or a restart (SECURITY.md T-03, F-03).
struct AppliedRecord {
  std::string host;
  std::uint64_t serial = 0;
  std::string sha256;     // of the manifest's exact bytes
  std::string key_id;     // of the key that signed it (empty in older records)
  bool finished = false;  // false: a run of it started and did not end
};

class StateDir {
 public:
  // Creates the directory (0700) when missing.
  static Result<StateDir> open(std::filesystem::path path);

  // Takes the run lock without waiting: Busy "run in progress (pid N)"
  // when another process holds it (SECURITY.md F-08). `interrupted` tells
  // whether the previous holder died mid-run.
  Result<RunLock> lock(bool& interrupted);

  // Handler ids notified but not yet run successfully.
  Result<std::set<std::string>> loadPending() const;
  Result<void> savePending(const std::set<std::string>& pending) const;

  // Resource id -> fingerprint of the desired state it last converged to.
  Result<std::map<std::string, std::string>> loadConverged() const;
  Result<void> saveConverged(const std::map<std::string, std::string>& converged) const;

  // The record of the last signed manifest; nullopt when there is none.
  // A damaged record is an error, never "none": that would reopen the
  // door to a rollback.
  Result<std::optional<AppliedRecord>> loadApplied() const;
  Result<void> saveApplied(const AppliedRecord& record) const;

  // The signed envelope of the last applied manifest, kept for scheduled
  // runs (`sc-agent apply --last-applied`), which check it again against
  // the record above; empty when there is none.
  Result<std::string> loadAppliedEnvelope() const;
  // `source` is the file the envelope was read from: when it lies in this
  // directory (sc-agentd's pushed.envelope.json, written and synced before
  // the run) it is hard-linked rather than written and synced again, which
  // is most of a no-op push's disk time. Anything else is copied.
  Result<void> saveAppliedEnvelope(std::string_view text,
                                   const std::filesystem::path& source = {}) const;

  fs::BackupStore backups() const { return fs::BackupStore(path_ / "backups"); }
  // Where fact gathering keeps what the Python interpreter said it is
  // (PosixFactProbe::cachePythonIn).
  std::filesystem::path pythonFactsCache() const { return path_ / "python_facts.json"; }
  const std::filesystem::path& path() const { return path_; }

 private:
  explicit StateDir(std::filesystem::path path) : path_(std::move(path)) {}
  Result<std::string> readSmallFile(const std::string& name) const;
  Result<void> writeSmallFile(const std::string& name, const std::string& content) const;
  std::filesystem::path path_;
};

}  // namespace sc::agent
