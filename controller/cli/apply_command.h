// `scctl apply -c local`: compile a playbook and apply each targeted host's
// manifest on this machine through the agent's engine, with its status
// lines and recap (the same code `sc-agent apply` runs).
#pragma once

#include <CLI/CLI.hpp>

#include "agent/cli/apply_command.h"
#include "controller/cli/playbook_options.h"

namespace sc::controller::cli {

struct ApplyArgs {
  PlaybookOptions playbook;
  std::string connection = "agent";
  agent::cli::ApplyArgs agent;  // check, diff, tags, root, state dir, ...
};

CLI::App* addApplyCommand(CLI::App& app, ApplyArgs& args);
int runApply(const ApplyArgs& args);

}  // namespace sc::controller::cli
