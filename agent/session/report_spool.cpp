#include "agent/session/report_spool.h"

#include <sys/stat.h>

#include <algorithm>

#include "common/fs/atomic_file.h"
#include "common/log/log.h"
#include "common/protocol/report_id.h"

namespace sc::agent::session {
namespace {

constexpr std::uint64_t kMaxReportFileBytes = 40ull << 20;

}  // namespace

ReportSpool::ReportSpool(std::filesystem::path dir, std::size_t capacity)
    : dir_(std::move(dir)), capacity_(capacity) {}

std::vector<std::string> ReportSpool::ids() const {
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() == 37 && name.ends_with(".json") && protocol::isReportId(name.substr(0, 32))) {
      found.push_back(name.substr(0, 32));
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

Result<void> ReportSpool::add(const nlohmann::json& report) {
  const std::string id = report.value("report_id", "");
  SC_CHECK(protocol::isReportId(id), "a spooled report needs an id from newReportId()");
  std::error_code ec;
  if (!std::filesystem::exists(dir_, ec)) {
    std::filesystem::create_directories(dir_, ec);
    if (ec)
      return Error(ErrorCode::Io, "cannot create the report spool", dir_.string(), ec.message());
    ::chmod(dir_.c_str(), 0700);
  }
  auto kept = ids();
  while (kept.size() >= capacity_ && !kept.empty()) {
    spdlog::warn("report spool full ({} reports): dropping the oldest, {}", kept.size(),
                 kept.front());
    std::filesystem::remove(dir_ / (kept.front() + ".json"), ec);
    kept.erase(kept.begin());
  }
  fs::AtomicWriteOptions options;
  options.mode = 0600;
  return fs::writeFileAtomic(dir_ / (id + ".json"),
                             report.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                             options);
}

std::vector<nlohmann::json> ReportSpool::pending() const {
  std::vector<nlohmann::json> reports;
  for (const auto& id : ids()) {
    const auto path = dir_ / (id + ".json");
    auto text = fs::readFileCapped(path, kMaxReportFileBytes);
    auto report =
        text ? nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false) : nlohmann::json();
    if (!report.is_object() || report.value("report_id", "") != id) {
      spdlog::warn("dropping an unreadable spooled report: {}", path.string());
      std::error_code ec;
      std::filesystem::remove(path, ec);
      continue;
    }
    reports.push_back(std::move(report));
  }
  return reports;
}

void ReportSpool::acknowledge(const std::string& report_id) {
  if (!protocol::isReportId(report_id)) return;
  std::error_code ec;
  std::filesystem::remove(dir_ / (report_id + ".json"), ec);
}

std::size_t ReportSpool::size() const { return ids().size(); }

}  // namespace sc::agent::session
