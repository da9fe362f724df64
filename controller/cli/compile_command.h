// `scctl compile`: playbook + inventory -> one manifest per host, written
// to a directory (HOST.json) or printed.
#pragma once

#include <CLI/CLI.hpp>

#include "controller/cli/playbook_options.h"

namespace sc::controller::cli {

struct CompileArgs {
  PlaybookOptions playbook;
  std::string output_dir;    // empty: print the manifests on stdout
  std::uint64_t serial = 0;  // 0: the current time (seconds; milliseconds when signing)
  std::string sign_key;      // non-empty: write signed envelopes, signed with this key
  std::string valid_for = "7d";
};

CLI::App* addCompileCommand(CLI::App& app, CompileArgs& args);
int runCompile(const CompileArgs& args);

// The compile step `scctl compile` and `scctl apply` share: options ->
// manifests, with warnings and errors printed. Null on error.
// `local_facts`, `reachable`, `facts`: see CompileOptions.
std::optional<compiler::CompileResult> compileForCli(
    const PlaybookOptions& options, std::uint64_t serial,
    std::function<Data()> local_facts = nullptr,
    std::function<bool(const std::string&)> reachable = nullptr,
    std::map<std::string, Data> facts = {});

}  // namespace sc::controller::cli
