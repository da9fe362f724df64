#include "controller/cli/reports_command.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "common/exit_codes.h"
#include "common/text/escape.h"
#include "common/time/rfc3339.h"
#include "controller/reports/report_store.h"

namespace sc::controller::cli {
namespace {

nlohmann::json toJson(const reports::StoredReport& report) {
  nlohmann::json out{{"id", report.id},
                     {"host", report.host},
                     {"trigger", report.trigger},
                     {"check", report.check},
                     {"stale", report.stale},
                     {"serial", report.serial},
                     {"exit_code", report.exit_code},
                     {"changed", report.changed},
                     {"failed", report.failed},
                     {"ran_at", time::formatRfc3339(report.ran_at)},
                     {"received_at", time::formatRfc3339(report.received_at)}};
  if (!report.report_id.empty()) out["report_id"] = report.report_id;
  if (!report.body.empty()) {
    out["report"] = nlohmann::json::parse(report.body, nullptr, /*allow_exceptions=*/false);
  }
  return out;
}

}  // namespace

CLI::App* addReportsCommand(CLI::App& app, ReportsArgs& args) {
  auto* command = app.add_subcommand("reports", "List the reports agents sent, newest first");
  command->add_option("--db", args.database, "The report store of scctl serve")
      ->default_val(kDefaultDatabase);
  command->add_option("--host", args.host, "Only this host's reports");
  command->add_option("-n,--limit", args.limit, "How many reports")
      ->default_val(20)
      ->check(CLI::Range(1, 100000));
  command->add_option("--show", args.show, "One report in full, by the ID the list shows");
  command->add_flag("--json", args.json, "Machine-readable output");
  command->footer(R"(TRIGGER is 'schedule' (the agent's own check or enforcement run) or 'push'.
CHANGED counts what drifted in a check run, what changed in any other.
STALE marks runs of a manifest that had expired (the host keeps enforcing
it until it gets a new one).

Exit codes:
  0  listed
  1  the store could not be read, or --show names no report)");
  return command;
}

int runReports(const ReportsArgs& args) {
  auto store = reports::ReportStore::openReadOnly(args.database);
  if (!store) {
    std::fprintf(stderr, "scctl: %s\n", store.error().describe().c_str());
    return exit_code::kFailed;
  }
  const bool one = args.show > 0;
  auto rows = store->list(args.host, one ? 100000 : args.limit, /*with_body=*/one || args.json);
  if (!rows) {
    std::fprintf(stderr, "scctl: %s\n", rows.error().describe().c_str());
    return exit_code::kFailed;
  }
  if (one) {
    for (const auto& row : *rows) {
      if (row.id != args.show) continue;
      std::printf(
          "%s\n",
          toJson(row).dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
      return exit_code::kDone;
    }
    std::fprintf(stderr, "scctl: no report %lld\n", static_cast<long long>(args.show));
    return exit_code::kFailed;
  }
  if (args.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& row : *rows) out.push_back(toJson(row));
    std::printf("%s\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return exit_code::kDone;
  }
  std::printf("%-6s %-24s %-9s %-7s %-14s %7s %6s %5s %s\n", "ID", "HOST", "TRIGGER", "MODE",
              "SERIAL", "CHANGED", "FAILED", "STALE", "RAN AT");
  for (const auto& row : *rows) {
    std::printf("%-6lld %-24s %-9s %-7s %-14llu %7lld %6lld %5s %s\n",
                static_cast<long long>(row.id), text::escapeControl(row.host).c_str(),
                row.trigger.c_str(), row.check ? "check" : "enforce",
                static_cast<unsigned long long>(row.serial), static_cast<long long>(row.changed),
                static_cast<long long>(row.failed), row.stale ? "yes" : "-",
                time::formatRfc3339(row.ran_at).c_str());
  }
  return exit_code::kDone;
}

}  // namespace sc::controller::cli
