// `scctl serve`: the long-running controller daemon (controller/serve/).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "controller/serve/server.h"

namespace sc::controller::cli {

struct ServeArgs {
  serve::ServeSettings settings;
  std::string ca_dir;
  int handshake_timeout = 10;
  int heartbeat = 30;
  int idle_timeout = 90;
  std::string database;
  // Mail to ops (controller/mail): none unless --smtp and --mail-to are set.
  std::string smtp;
  std::string mail_from;
  std::vector<std::string> mail_to;
  bool smtp_starttls = false;
  int mail_retry = 60;
  std::string port_file;
  bool verbose = false;
  std::string config;  // --config: the settings file (common/config)
  CLI::App* command = nullptr;
};

CLI::App* addServeCommand(CLI::App& app, ServeArgs& args);
int runServe(ServeArgs& args);

}  // namespace sc::controller::cli
