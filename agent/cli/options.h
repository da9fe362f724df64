// Options shared by sc-agent's subcommands, and where their defaults come
// from (root: /etc and /var/lib; a normal user: ~/.local/state).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

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

// The state directory to use when --state-dir was not given.
std::string defaultStateDir();

// Managed path prefixes an unprivileged agent may touch without --root
// (SECURITY.md T-29): its home directory and every --allow-path.
std::vector<std::string> allowedPrefixes(const CommonOptions& options);

bool useColor(Color color);

}  // namespace sc::agent::cli
