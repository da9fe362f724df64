// `sc-agent facts`: print what this host is, under Ansible's fact names
// (ansible_os_family, ansible_default_ipv4, ...), as a listing or as the
// JSON object `scctl compile --facts DIR` reads from DIR/HOST.json.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace sc::agent::cli {

struct FactsArgs {
  std::string root;  // empty: "/"
  bool json = false;
  int verbosity = 0;
};

CLI::App* addFactsCommand(CLI::App& app, FactsArgs& args);
int runFacts(const FactsArgs& args);

}  // namespace sc::agent::cli
