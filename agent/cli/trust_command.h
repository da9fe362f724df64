// `sc-agent trust show|init|update`: the root document this host trusts
// (agent/verify/trust_store.h, docs/trust.md).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "agent/cli/options.h"

namespace sc::agent::cli {

struct TrustArgs {
  CommonOptions common;
  std::vector<std::string> files;
  bool replace = false;
  bool json = false;
  CLI::App* show = nullptr;
  CLI::App* init = nullptr;
  CLI::App* update = nullptr;
};

CLI::App* addTrustCommand(CLI::App& app, TrustArgs& args);
int runTrust(const TrustArgs& args);

}  // namespace sc::agent::cli
