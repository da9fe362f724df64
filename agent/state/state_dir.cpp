#include "agent/state/state_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "common/fs/atomic_file.h"
#include "common/limits.h"

namespace sc::agent {
namespace {

constexpr const char* kLockFile = "lock";
constexpr const char* kPendingFile = "pending_handlers.json";
constexpr const char* kConvergedFile = "converged.json";
constexpr const char* kAppliedFile = "applied.json";
constexpr const char* kAppliedEnvelopeFile = "applied.envelope.json";
constexpr std::uint64_t kMaxStateFileBytes = 256ull << 20;

void sweepTempFilesIn(const std::filesystem::path& dir) {
  fs::UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.valid()) fs::sweepTempFiles(fd.get());
}

// Reads converged.json ({"id": "fingerprint", ...}) straight into a map:
// no document tree beside it, which for a manifest of thousands of
// resources would briefly double what the run holds. Values that are not
// strings, and anything nested, are skipped.
class ConvergedReader final : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit ConvergedReader(std::map<std::string, std::string>& out) : out_(out) {}

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool string(string_t& value) override {
    if (depth_ == 1) out_[key_] = std::move(value);
    return true;
  }
  bool key(string_t& name) override {
    if (depth_ == 1) key_ = std::move(name);
    return true;
  }
  bool start_object(std::size_t) override {
    ++depth_;
    return true;
  }
  bool end_object() override {
    --depth_;
    return true;
  }
  // A document that is an array is damaged: stop there.
  bool start_array(std::size_t) override { return ++depth_ > 1; }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  std::map<std::string, std::string>& out_;
  std::string key_;
  int depth_ = 0;
};

}  // namespace

void RunLock::markFinished() {
  if (!fd_.valid()) return;
  if (::ftruncate(fd_.get(), 0) != 0) {
    // Only costs a spurious "previous run interrupted" notice next time.
  }
}

Result<StateDir> StateDir::open(std::filesystem::path path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    std::filesystem::create_directories(path, ec);
    if (ec) {
      return Error(ErrorCode::Io, fmt::format("cannot create state directory '{}'", path.string()),
                   {}, ec.message());
    }
    ::chmod(path.c_str(), 0700);
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Error(ErrorCode::Io,
                 fmt::format("state directory '{}' is not a directory", path.string()));
  }
  return StateDir(std::move(path));
}

Result<RunLock> StateDir::lock(bool& interrupted) {
  const auto lock_path = path_ / kLockFile;
  fs::UniqueFd fd(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid()) return errnoError(errno, fmt::format("cannot open '{}'", lock_path.string()));
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    char buffer[64] = {};
    const ssize_t got = ::pread(fd.get(), buffer, sizeof buffer - 1, 0);
    std::string holder = got > 0 ? std::string(buffer, static_cast<std::size_t>(got)) : "?";
    const auto space = holder.find(' ');
    if (space != std::string::npos) holder.resize(space);
    return Error(ErrorCode::Busy, fmt::format("run in progress (pid {}); state directory '{}'",
                                              holder, path_.string()));
  }
  char buffer[64] = {};
  const ssize_t got = ::pread(fd.get(), buffer, sizeof buffer - 1, 0);
  interrupted = got > 0;
  if (interrupted) {
    // Temp files of state and backup writes the interrupted run left behind
    // (SECURITY.md F-01); the lock is held, so nobody is writing them now.
    sweepTempFilesIn(path_);
    std::error_code ec;
    for (std::filesystem::directory_iterator it(path_ / "backups" / "objects", ec), end;
         !ec && it != end; it.increment(ec)) {
      sweepTempFilesIn(it->path());
    }
  }
  const std::string mark = fmt::format("{} running\n", ::getpid());
  if (::ftruncate(fd.get(), 0) != 0 ||
      ::pwrite(fd.get(), mark.data(), mark.size(), 0) != static_cast<ssize_t>(mark.size())) {
    return errnoError(errno, fmt::format("cannot write '{}'", lock_path.string()));
  }
  return RunLock(std::move(fd));
}

Result<std::string> StateDir::readSmallFile(const std::string& name) const {
  const auto file = path_ / name;
  fs::UniqueFd fd(::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return std::string();
    return errnoError(errno, fmt::format("cannot open '{}'", file.string()));
  }
  return fs::readAllCapped(fd.get(), kMaxStateFileBytes);
}

Result<std::string> StateDir::loadAppliedEnvelope() const {
  const auto file = path_ / kAppliedEnvelopeFile;
  fs::UniqueFd fd(::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return std::string();
    return errnoError(errno, fmt::format("cannot open '{}'", file.string()));
  }
  return fs::readAllCapped(fd.get(), limits::kMaxEnvelopeBytes);
}

Result<void> StateDir::saveAppliedEnvelope(std::string_view text,
                                           const std::filesystem::path& source) const {
  std::error_code ec;
  const bool ours = !source.empty() && source.has_parent_path() &&
                    std::filesystem::equivalent(source.parent_path(), path_, ec);
  if (ours) {
    // A new name for the same bytes, then renamed into place: nothing
    // half-written is ever seen under the kept name.
    const auto staged = path_ / (std::string(kAppliedEnvelopeFile) + ".link");
    ::unlink(staged.c_str());
    if (::link(source.c_str(), staged.c_str()) == 0) {
      if (::rename(staged.c_str(), (path_ / kAppliedEnvelopeFile).c_str()) == 0) {
        fs::UniqueFd dir(::open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (dir.valid() && ::fsync(dir.get()) == 0) return {};
        return errnoError(errno, fmt::format("cannot sync '{}'", path_.string()));
      }
      ::unlink(staged.c_str());
    }
  }
  return writeSmallFile(kAppliedEnvelopeFile, std::string(text));
}

Result<void> StateDir::writeSmallFile(const std::string& name, const std::string& content) const {
  fs::UniqueFd dir(::open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) return errnoError(errno, fmt::format("cannot open '{}'", path_.string()));
  fs::AtomicWriteOptions options;
  options.mode = 0600;
  return fs::writeFileAtomicAt(dir.get(), name, content, options);
}

Result<std::set<std::string>> StateDir::loadPending() const {
  SC_TRY_ASSIGN(const std::string text, readSmallFile(kPendingFile));
  std::set<std::string> out;
  if (text.empty()) return out;
  const auto doc = nlohmann::json::parse(text, nullptr, false);
  // A damaged file loses at most the notifications; say so, never crash.
  if (!doc.is_array()) {
    return Error(ErrorCode::Parse, fmt::format("'{}' is damaged", (path_ / kPendingFile).string()));
  }
  for (const auto& id : doc) {
    if (id.is_string()) out.insert(id.get<std::string>());
  }
  return out;
}

Result<void> StateDir::savePending(const std::set<std::string>& pending) const {
  return writeSmallFile(kPendingFile, nlohmann::json(pending).dump());
}

Result<std::map<std::string, std::string>> StateDir::loadConverged() const {
  SC_TRY_ASSIGN(const std::string text, readSmallFile(kConvergedFile));
  std::map<std::string, std::string> out;
  if (text.empty()) return out;
  // Damaged or not an object: nothing is known to have converged, which
  // only costs the corrective flag on this run's reports.
  ConvergedReader reader(out);
  if (!nlohmann::json::sax_parse(text, &reader)) out.clear();
  return out;
}

Result<void> StateDir::saveConverged(const std::map<std::string, std::string>& converged) const {
  return writeSmallFile(kConvergedFile, nlohmann::json(converged).dump());
}

Result<std::optional<AppliedRecord>> StateDir::loadApplied() const {
  SC_TRY_ASSIGN(const std::string text, readSmallFile(kAppliedFile));
  if (text.empty()) return std::optional<AppliedRecord>();
  const auto doc = nlohmann::json::parse(text, nullptr, false);
  const auto damaged = [&] {
    return Error(ErrorCode::Parse,
                 fmt::format("'{}' is damaged; it records the last applied serial, so no signed "
                             "manifest is accepted until it is repaired or removed by hand",
                             (path_ / kAppliedFile).string()));
  };
  if (!doc.is_object()) return damaged();
  const auto host = doc.find("host");
  const auto serial = doc.find("serial");
  const auto sha256 = doc.find("sha256");
  const auto finished = doc.find("finished");
  if (host == doc.end() || !host->is_string() || serial == doc.end() ||
      !serial->is_number_unsigned() || sha256 == doc.end() || !sha256->is_string() ||
      finished == doc.end() || !finished->is_boolean()) {
    return damaged();
  }
  const auto key_id = doc.find("key_id");
  if (key_id != doc.end() && !key_id->is_string()) return damaged();
  return std::optional<AppliedRecord>(AppliedRecord{
      host->get<std::string>(), serial->get<std::uint64_t>(), sha256->get<std::string>(),
      key_id == doc.end() ? std::string() : key_id->get<std::string>(), finished->get<bool>()});
}

Result<void> StateDir::saveApplied(const AppliedRecord& record) const {
  return writeSmallFile(kAppliedFile, nlohmann::json{{"host", record.host},
                                                     {"serial", record.serial},
                                                     {"sha256", record.sha256},
                                                     {"key_id", record.key_id},
                                                     {"finished", record.finished}}
                                          .dump());
}

}  // namespace sc::agent
