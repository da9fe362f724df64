// `scctl hosts`: the hosts the CA knows, whether each has a session now,
// its certificate's expiry and when it was last seen.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace sc::controller::cli {

struct HostsArgs {
  std::string admin_socket;
  std::string ca_dir;
  std::string database;  // the report store: last serial and report
  bool json = false;
};

CLI::App* addHostsCommand(CLI::App& app, HostsArgs& args);
int runHosts(const HostsArgs& args);

}  // namespace sc::controller::cli
