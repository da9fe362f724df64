#include "agent/cli/options.h"

#include <unistd.h>

#include <cstdlib>

namespace sc::agent::cli {

void addCommonOptions(CLI::App& command, CommonOptions& options, bool with_root) {
  command.add_option("--state-dir", options.state_dir,
                     "State directory: lock, pending handlers, backups "
                     "(default /var/lib/smartcookies, or ~/.local/state/smartcookies for a "
                     "normal user)");
  if (with_root) {
    command.add_option("--root", options.root,
                       "Directory every managed path is placed under (tests, benchmarks, "
                       "unprivileged use)");
    command.add_option("--allow-path", options.allow_paths,
                       "For a normal user without --root: a path prefix this agent may manage "
                       "besides $HOME (repeatable)");
  }
  command.add_flag("-v,--verbose", options.verbosity, "More output (repeat for debug logs)");
  command.add_option("--color", options.color, "Colour output: auto, always or never")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, Color>{
              {"auto", Color::Auto}, {"always", Color::Always}, {"never", Color::Never}},
          CLI::ignore_case));
}

std::string defaultStateDir() {
  if (::geteuid() == 0) return "/var/lib/smartcookies";
  if (const char* state = std::getenv("XDG_STATE_HOME"); state && *state == '/') {
    return std::string(state) + "/smartcookies";
  }
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/tmp") + "/.local/state/smartcookies";
}

std::vector<std::string> allowedPrefixes(const CommonOptions& options) {
  if (::geteuid() == 0 || (!options.root.empty() && options.root != "/")) return {};
  std::vector<std::string> prefixes = options.allow_paths;
  if (const char* home = std::getenv("HOME"); home && *home == '/') prefixes.emplace_back(home);
  if (prefixes.empty()) prefixes.emplace_back("/nonexistent-no-paths-allowed");
  return prefixes;
}

bool useColor(Color color) {
  if (color == Color::Always) return true;
  if (color == Color::Never) return false;
  return std::getenv("NO_COLOR") == nullptr && ::isatty(STDOUT_FILENO) == 1;
}

}  // namespace sc::agent::cli
