// Options shared by sc-agent's subcommands, and where their defaults come
// from (root: /etc and /var/lib; a normal user: ~/.local/state).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "agent/state/state_dir.h"
#include "common/error.h"

namespace sc::agent::cli {

enum class Color { Auto, Always, Never };

struct CommonOptions {
  std::string state_dir;  // empty: the default for this user
  std::string root;       // empty: "/"
  std::vector<std::string> allow_paths;
  int verbosity = 0;
  Color color = Color::Auto;
};

// Adds --state-dir, --root, --allow-path, -v and --color to a subcommand.
void addCommonOptions(CLI::App& command, CommonOptions& options, bool with_root);

// The state directory to use when --state-dir was not given; empty when
// there is no safe default (a normal user without HOME).
std::string defaultStateDir();

// Opens --state-dir, or the default one.
Result<StateDir> openStateDir(const CommonOptions& options);

// Managed path prefixes an unprivileged agent may touch without --root
// (SECURITY.md T-29): its home directory and every --allow-path.
std::vector<std::string> allowedPrefixes(const CommonOptions& options);

bool useColor(Color color);

}  // namespace sc::agent::cli
