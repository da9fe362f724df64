// What an agent sends back about a push, decoded strictly (SECURITY.md
// T-19): the agent is not trusted, so each field has one type, and a field
// of another type makes the answer malformed, reported as such, never an
// exception and never a guess. Agent text is only ever escaped and
// printed: nothing evaluates, templates or runs it.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "common/error.h"

namespace sc::controller::push {

// The counts of an agent's run, as `sc-agent apply` recaps it.
struct RunCounts {
  std::int64_t ok = 0;
  std::int64_t changed = 0;
  std::int64_t failed = 0;
  std::int64_t skipped = 0;
  std::int64_t rescued = 0;
  std::int64_t would_change = 0;
};

struct PushResult {
  enum class Kind { Report, AlreadyApplied, Refused, Failed, Lost };
  Kind kind = Kind::Failed;
  RunCounts counts;         // Report
  bool check = false;       // Report: a --check run
  std::int64_t serial = 0;  // AlreadyApplied
  std::string reason;       // Refused: the reason code
  std::string message;      // Refused, Failed
};

// A `result` answer: {"event": "report", "report": {"recap": {...}, "check"}},
// {"event": "already_applied", "serial"}, {"event": "refused", "reason",
// "message"}, {"event": "lost"} (from the controller), or any other event
// with a "message" (a failure). InvalidArgument names the field at fault.
Result<PushResult> decodePushResult(const nlohmann::json& result);

// The line of a `progress` answer: {"line": "..."}.
Result<std::string> decodeProgressLine(const nlohmann::json& progress);

}  // namespace sc::controller::push
