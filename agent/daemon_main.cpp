// sc-agentd: `sc-agent run` in a program of its own. `sc-agent run` checks
// its arguments and becomes this (exec, same process), so the process that
// stays resident on every host holds the session (TLS, frames, root
// documents) and none of the engine: its idle RSS is a target
// (bench/README.md), and code it does not hold cannot be attacked. Each
// push and each facts request runs the sc-agent beside it as a child.
#include <CLI/CLI.hpp>

#include "agent/cli/session_commands.h"
#include "common/exit_codes.h"

int main(int argc, char** argv) {
  using namespace sc::agent::cli;
  CLI::App app("sc-agentd: the agent daemon; start it as 'sc-agent run'", "sc-agentd");
  app.set_version_flag("--version", SC_VERSION);
  app.require_subcommand(1);
  RunArgs run;
  addRunCommand(app, run);
  // CLI11 reports with exceptions; they stop here (STYLE.md section 3).
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return sc::exit_code::kUsage;
  }
  return runRun(run);  // sets up logging once the settings file is read
}
