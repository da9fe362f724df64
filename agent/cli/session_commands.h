// `sc-agent enroll` and `sc-agent run`: joining a controller and keeping a
// session with it (agent/session/, docs/enrolment.md, docs/protocol.md).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace sc::agent::cli {

struct EnrollArgs {
  std::string controller;
  std::string name;  // empty: this host's name
  std::string token;
  std::string ca_fingerprint;
  std::string state_dir;
  bool wait = false;
  int verbosity = 0;
};

struct RunArgs {
  std::string state_dir;
  std::vector<std::string> trust;  // passed to each run's `sc-agent apply`
  std::string root;
  std::vector<std::string> allow_paths;
  int connect_timeout = 30;
  double backoff_base = 1;
  double backoff_cap = 300;
  double splay = 0;
  double run_interval = 1800;  // scheduled runs of the last applied manifest; 0: none
  std::string run_mode = "check";
  int verbosity = 0;
  std::string config;  // --config: the settings file (common/config)
  CLI::App* command = nullptr;
};

CLI::App* addEnrollCommand(CLI::App& app, EnrollArgs& args);
int runEnroll(const EnrollArgs& args);
CLI::App* addRunCommand(CLI::App& app, RunArgs& args);
// Reads the settings file first: its values fill the options not given.
int runRun(RunArgs& args);
// `sc-agent run`, its arguments checked: becomes the sc-agentd installed
// beside sc-agent (same process, same arguments), the daemon that holds
// the session and none of the engine. Returns only when there is none, and
// then the caller runs the session itself.
void becomeDaemon(char** argv);

}  // namespace sc::agent::cli
