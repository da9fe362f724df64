// `scctl apply`: compile a playbook and apply each targeted host's manifest.
// -c agent (the default) signs them and pushes them through `scctl serve`
// to the connected agents (controller/push/); -c local applies them on this
// machine through the agent's engine (the same code `sc-agent apply` runs).
#pragma once

#include <CLI/CLI.hpp>

#include "agent/cli/apply_command.h"
#include "controller/cli/playbook_options.h"

namespace sc::controller::cli {

struct ApplyArgs {
  PlaybookOptions playbook;
  std::string connection = "agent";
  // -c agent: the running `scctl serve`, the signing key, manifest validity.
  std::string admin_socket;
  std::string sign_key;
  std::string valid_for;
  std::string facts_max_age;
  agent::cli::ApplyArgs agent;  // check, diff, tags, root, state dir, ...
};

CLI::App* addApplyCommand(CLI::App& app, ApplyArgs& args);
int runApply(const ApplyArgs& args);

}  // namespace sc::controller::cli
