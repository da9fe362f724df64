// `sc-agent backups list|restore`: the versions of managed files kept before
// each replacement or removal, and bringing one back.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "agent/cli/options.h"

namespace sc::agent::cli {

struct BackupsArgs {
  CommonOptions common;
  std::string path;
  std::string to_id;
  bool json = false;
  CLI::App* list = nullptr;
  CLI::App* restore = nullptr;
};

CLI::App* addBackupsCommand(CLI::App& app, BackupsArgs& args);
int runBackups(const BackupsArgs& args);

}  // namespace sc::agent::cli
