// RFC 3339 timestamps (the manifest's issued_at and expires_at) to and
// from Unix seconds, without the C library's time-zone state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sc::time {

// "2026-11-26T05:00:00Z", "2026-11-26T06:00:00.25+01:00" -> seconds since
// the epoch (fractions dropped); nullopt for anything else, including
// impossible dates (February 30) and lowercase 't'/'z'.
std::optional<std::int64_t> parseRfc3339(std::string_view text);

// Seconds since the epoch as "YYYY-MM-DDTHH:MM:SSZ".
std::string formatRfc3339(std::int64_t seconds);

}  // namespace sc::time
