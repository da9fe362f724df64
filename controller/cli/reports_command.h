// `scctl reports`: the reports `scctl serve` stored (controller/reports),
// newest first: scheduled check and enforcement runs, and pushed runs.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

namespace sc::controller::cli {

inline constexpr const char* kDefaultDatabase = "/var/lib/smartcookies/controller.db";

struct ReportsArgs {
  std::string database;
  std::string host;
  std::size_t limit = 20;
  std::int64_t show = 0;  // --show ID: one report, in full
  bool json = false;
};

CLI::App* addReportsCommand(CLI::App& app, ReportsArgs& args);
int runReports(const ReportsArgs& args);

}  // namespace sc::controller::cli
