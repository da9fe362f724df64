// The id an agent gives each report it sends (docs/protocol.md): 32
// lowercase hex digits, 16 of the microseconds since the epoch when it was
// made (so the agent's spool, which names files by it, sorts oldest first)
// and 16 random. The controller stores a report once per (host, id)
// (SECURITY.md T-18) and accepts no other form (T-21): the id never becomes
// a path on the controller, and on the agent only this form does.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/random.h"

namespace sc::protocol {

inline bool isReportId(std::string_view id) {
  return id.size() == 32 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

inline std::string newReportId() {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(since_epoch).count();
  return fmt::format("{:016x}{}", static_cast<std::uint64_t>(micros), randomHex(8));
}

}  // namespace sc::protocol
