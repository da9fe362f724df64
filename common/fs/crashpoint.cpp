#include "common/fs/crashpoint.h"

#ifdef SC_ENABLE_CRASHPOINTS
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <string>

namespace sc::fs {

void crashpoint(std::string_view name) {
  // Process-wide counter: the one deliberate piece of global mutable state,
  // compiled only into test builds.
  static const long target = [] {
    const char* value = std::getenv("SC_CRASHPOINT");
    return value == nullptr ? 0L : std::strtol(value, nullptr, 10);
  }();
  static long reached = 0;
  if (target <= 0) return;
  if (++reached == target) {
    if (std::getenv("SC_CRASHPOINT_VERBOSE") != nullptr) {
      const std::string line = "crashpoint " + std::string(name) + "\n";
      (void)!::write(2, line.data(), line.size());
    }
    ::kill(::getpid(), SIGKILL);
  }
}

}  // namespace sc::fs
#endif
