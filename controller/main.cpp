// scctl: flags, then run(). The only controller code tests do not link.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "common/config/command_line.h"
#include "common/exit_codes.h"
#include "common/log/log.h"
#include "controller/cli/apply_command.h"
#include "controller/cli/ca_command.h"
#include "controller/cli/compile_command.h"
#include "controller/cli/hosts_command.h"
#include "controller/cli/key_command.h"
#include "controller/cli/render_command.h"
#include "controller/cli/reports_command.h"
#include "controller/cli/serve_command.h"
#include "controller/cli/trust_command.h"

int main(int argc, char** argv) {
  using namespace sc::controller::cli;
  CLI::App app("scctl: compiles Ansible-style playbooks into manifests and applies them", "scctl");
  app.set_version_flag("--version", SC_VERSION);
  app.require_subcommand(1);
  app.footer("Run 'scctl SUBCOMMAND --help' for the options of each subcommand.");
  CompileArgs compile;
  ApplyArgs apply;
  RenderArgs render;
  KeyArgs key;
  CaArgs ca;
  ServeArgs serve;
  HostsArgs hosts;
  TrustArgs trust;
  ReportsArgs reports;
  auto* compile_command = addCompileCommand(app, compile);
  auto* apply_command = addApplyCommand(app, apply);
  auto* render_command = addRenderCommand(app, render);
  auto* key_command = addKeyCommand(app, key);
  addCaCommands(app, ca);
  auto* serve_command = addServeCommand(app, serve);
  auto* hosts_command = addHostsCommand(app, hosts);
  auto* trust_command = addTrustCommand(app, trust);
  auto* reports_command = addReportsCommand(app, reports);
  if (const auto ended = sc::config::parseCommandLine(app, argc, argv)) return *ended;
  sc::log::setupLogging(sc::log::Verbosity::Normal);
  if (compile_command->parsed()) return runCompile(compile);
  if (apply_command->parsed()) return runApply(apply);
  if (render_command->parsed()) return runRender(render);
  if (key_command->parsed()) return runKey(key);
  if (caCommandParsed(ca)) return runCa(ca);
  if (serve_command->parsed()) return runServe(serve);
  if (hosts_command->parsed()) return runHosts(hosts);
  if (trust_command->parsed()) return runTrust(trust);
  if (reports_command->parsed()) return runReports(reports);
  return sc::exit_code::kUsage;
}
