// Options shared by `scctl compile` and `scctl apply`, spelled as
// ansible-playbook spells them (-i, -l, -e, --roles-path), and turning them
// into the compiler's CompileOptions.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "common/error.h"
#include "controller/compiler/compiler.h"

namespace sc::controller::cli {

struct PlaybookOptions {
  std::string playbook;
  std::vector<std::string> inventories;
  std::vector<std::string> limits;
  std::vector<std::string> extra_vars;  // as written: k=v, @file, JSON/YAML
  std::string facts_dir;
  std::vector<std::string> roles_path;
  bool allow_pipe = false;
};

void addPlaybookOptions(CLI::App& command, PlaybookOptions& options);

// Reads -e values in order (later ones win, as in Ansible) and fills
// CompileOptions. Errors name the -e value or file.
Result<compiler::CompileOptions> toCompileOptions(const PlaybookOptions& options);

// Prints an error as a diagnostic with the source line and a caret when
// it names a file:line:col that can be read.
void printCompileError(const Error& error);

}  // namespace sc::controller::cli
