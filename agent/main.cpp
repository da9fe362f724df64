// sc-agent: flags, then run(). The only agent code tests do not link.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "agent/cli/apply_command.h"
#include "agent/cli/backups_command.h"
#include "agent/cli/facts_command.h"
#include "agent/cli/session_commands.h"
#include "agent/cli/trust_command.h"
#include "common/config/command_line.h"
#include "common/exit_codes.h"
#include "common/log/log.h"

int main(int argc, char** argv) {
  using namespace sc::agent::cli;
  CLI::App app("sc-agent: applies signed smartcookies manifests to this host", "sc-agent");
  app.set_version_flag("--version", SC_VERSION);
  app.require_subcommand(1);
  app.footer("Run 'sc-agent SUBCOMMAND --help' for the options of each subcommand.");
  ApplyArgs apply;
  BackupsArgs backups;
  FactsArgs facts;
  EnrollArgs enroll;
  RunArgs run;
  TrustArgs trust;
  auto* apply_command = addApplyCommand(app, apply);
  auto* backups_command = addBackupsCommand(app, backups);
  auto* facts_command = addFactsCommand(app, facts);
  auto* enroll_command = addEnrollCommand(app, enroll);
  auto* run_command = addRunCommand(app, run);
  auto* trust_command = addTrustCommand(app, trust);
  if (const auto ended = sc::config::parseCommandLine(app, argc, argv)) return *ended;
  const auto verbosity = [](int v) {
    return v >= 2 ? sc::log::Verbosity::Debug
                  : (v == 1 ? sc::log::Verbosity::Verbose : sc::log::Verbosity::Normal);
  };
  if (apply_command->parsed()) {
    sc::log::setupLogging(verbosity(apply.common.verbosity));
    return runApply(apply);
  }
  if (backups_command->parsed()) {
    sc::log::setupLogging(verbosity(backups.common.verbosity));
    return runBackups(backups);
  }
  if (facts_command->parsed()) {
    sc::log::setupLogging(verbosity(facts.verbosity));
    return runFacts(facts);
  }
  if (enroll_command->parsed()) {
    sc::log::setupLogging(verbosity(enroll.verbosity));
    return runEnroll(enroll);
  }
  if (run_command->parsed()) {
    becomeDaemon(argv);
    // No sc-agentd beside this program (a partial install): the session
    // runs here, in the larger process image.
    return runRun(run);
  }
  if (trust_command->parsed()) {
    sc::log::setupLogging(sc::log::Verbosity::Normal);
    return runTrust(trust);
  }
  return sc::exit_code::kUsage;
}
