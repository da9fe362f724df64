// `scctl ca init|show|list|sign|revoke` and `scctl token create`: the
// controller's certificate authority and agent enrolment (docs/enrolment.md).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace sc::controller::cli {

inline constexpr char kDefaultCaDir[] = "/var/lib/smartcookies/ca";

struct CaArgs {
  std::string ca_dir = kDefaultCaDir;
  std::vector<std::string> names;   // init: the controller's names
  std::string host;                 // sign, revoke, token create
  std::string lifetime;             // sign: certificate; token create: token
  std::string controller_lifetime;  // renew-controller
  bool json = false;
  CLI::App* ca = nullptr;
  CLI::App* init = nullptr;
  CLI::App* show = nullptr;
  CLI::App* list = nullptr;
  CLI::App* sign = nullptr;
  CLI::App* revoke = nullptr;
  CLI::App* renew_controller = nullptr;
  CLI::App* token = nullptr;
  CLI::App* token_create = nullptr;
};

// Adds both `ca` and `token` to `app`.
void addCaCommands(CLI::App& app, CaArgs& args);
// True when one of them was given.
bool caCommandParsed(const CaArgs& args);
int runCa(const CaArgs& args);

}  // namespace sc::controller::cli
