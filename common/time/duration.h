// Durations as operators type them ("90", "30m", "12h", "7d") and the
// current time in Unix seconds.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace sc::time {

// "90" or "90s", "30m", "12h", "7d" -> seconds; nullopt for anything else
// (empty, negative, fractions, other units, absurdly long).
std::optional<std::int64_t> parseDuration(std::string_view text);

inline std::int64_t unixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace sc::time
