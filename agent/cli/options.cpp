#include "agent/cli/options.h"

#include <unistd.h>

#include <cstdlib>

namespace sc::agent::cli {

void addCommonOptions(CLI::App& command, CommonOptions& options, bool with_root) {
  command.add_option("--state-dir", options.state_dir,
                     "State directory: lock, pending handlers, backups "
                     "(default /var/lib/smartcookies; for a normal user "
                     "$XDG_STATE_HOME/smartcookies or ~/.local/state/smartcookies)");
  if (with_root) {
    command.add_option("--root", options.root,
                       "Directory every managed path is placed under (tests, benchmarks, "
                       "unprivileged use)");
    command.add_option("--allow-path", options.allow_paths,
                       "For a normal user without --root: a path prefix this agent may manage "
                       "besides $HOME (repeatable)");
  }
  command.add_flag("-v,--verbose", options.verbosity, "More output (repeat for debug logs)");
  command
      .add_option_function<std::string>(
          "--color",
          [&options](const std::string& value) {
            options.color = value == "always"  ? Color::Always
                            : value == "never" ? Color::Never
                                               : Color::Auto;
          },
          "Colour output: auto (on a terminal without NO_COLOR), always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
}

std::string defaultStateDir() {
  if (::geteuid() == 0) return "/var/lib/smartcookies";
  if (const char* state = std::getenv("XDG_STATE_HOME"); state && *state == '/') {
    return std::string(state) + "/smartcookies";
  }
  const char* home = std::getenv("HOME");
  // Never a shared fallback such as /tmp: another user could plant it.
  if (home == nullptr || *home != '/') return {};
  return std::string(home) + "/.local/state/smartcookies";
}

Result<StateDir> openStateDir(const CommonOptions& options) {
  const std::string path = options.state_dir.empty() ? defaultStateDir() : options.state_dir;
  if (path.empty()) {
    return Error(ErrorCode::InvalidArgument,
                 "no state directory: HOME is not set; pass --state-dir DIR");
  }
  return StateDir::open(path);
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
