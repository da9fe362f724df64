// sc-agentd: `sc-agent run` in a program of its own. `sc-agent run` checks
// its arguments and becomes this (exec, same process), so the process that
// stays resident on every host holds the session (TLS, frames, root
// documents) and none of the engine: its idle RSS is a target
// (bench/README.md), and code it does not hold cannot be attacked. Each
// push and each facts request runs the sc-agent beside it as a child.
#include <CLI/CLI.hpp>

#include "agent/cli/session_commands.h"
#include "common/config/command_line.h"

int main(int argc, char** argv) {
  using namespace sc::agent::cli;
  CLI::App app("sc-agentd: the agent daemon; start it as 'sc-agent run'", "sc-agentd");
  app.set_version_flag("--version", SC_VERSION);
  app.require_subcommand(1);
  RunArgs run;
  addRunCommand(app, run);
  if (const auto ended = sc::config::parseCommandLine(app, argc, argv)) return *ended;
  return runRun(run);  // sets up logging once the settings file is read
}
