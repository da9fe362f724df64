// The agent's report spool (ARCHITECTURE.md decision 8): each report a
// scheduled run makes is written here, fsynced, before it is sent, and
// removed only when the controller acknowledges it; the spool is sent
// again, oldest first, at the start of every session. So a report survives
// a dead controller, a lost session and the agent's own restart, and the
// controller, which may see one twice, stores it once by its id
// (SECURITY.md T-18).
//
// Files are named by their report's id (common/protocol/report_id.h), and
// only ids of that form are ever read, written or removed.
#pragma once

#include <cstddef>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/error.h"

namespace sc::agent::session {

class ReportSpool {
 public:
  // At most `capacity` reports are kept: past it, the oldest is dropped
  // (with a warning) so a host cut off for weeks cannot fill its disk.
  ReportSpool(std::filesystem::path dir, std::size_t capacity);

  // Keeps `report` (which carries its "report_id") until acknowledged.
  Result<void> add(const nlohmann::json& report);
  // Every kept report, oldest first; unreadable files are skipped (and
  // removed), never sent.
  std::vector<nlohmann::json> pending() const;
  // The controller acknowledged `report_id`; an id that is not in the
  // spool's form is ignored.
  void acknowledge(const std::string& report_id);
  std::size_t size() const;

 private:
  std::vector<std::string> ids() const;
  std::filesystem::path dir_;
  std::size_t capacity_;
};

}  // namespace sc::agent::session
