// A report an agent sends on its own (a scheduled check or enforcement
// run), decoded strictly like every agent answer (SECURITY.md T-19), and
// the mail to ops it calls for.
//
// The `report` message (docs/protocol.md):
//   {report_id, trigger: "schedule", check, stale, serial, ran_at,
//    event: "report", exit_code, report: {recap, resources, ...}}
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "controller/reports/report_store.h"

namespace sc::controller::reports {

// The row to store for `message` from `host` (the session's identity, never
// anything the message says), received at `now`. InvalidArgument names the
// field at fault; a report id not in its strict form is refused (T-21).
Result<StoredReport> decodeAgentReport(const std::string& host, const nlohmann::json& message,
                                       std::int64_t now);

// The row to store for the result of a pushed run, when it is a report.
std::optional<StoredReport> pushedRunReport(const std::string& host, const nlohmann::json& result,
                                            std::int64_t now);

// What a scheduled report found, as much as deciding on mail needs: whether
// its manifest had expired, and "id=outcome" of each resource that drifted
// or failed, sorted (the counts when the agent left its resources out).
struct ReportDigest {
  bool stale = false;
  std::vector<std::string> findings;
};
ReportDigest digestOf(const StoredReport& report);

// What ops hear about (by mail) from a scheduled run's report: resources
// that drifted (found in a check run, or corrected by an enforcing one) or
// failed, unless the host's previous report found just the same, and the
// first report after its manifest expired (T-04: the host then enforces a
// state nobody renews). `previous` digests the host's last scheduled report
// before this one. Nothing to say: nullopt.
std::optional<OutgoingMail> alertFor(const StoredReport& report,
                                     const std::optional<ReportDigest>& previous, std::int64_t now);

}  // namespace sc::controller::reports
