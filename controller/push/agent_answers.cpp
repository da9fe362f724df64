#include "controller/push/agent_answers.h"

#include <fmt/format.h>

namespace sc::controller::push {
namespace {

Error malformed(const std::string& field, const std::string& expected) {
  return Error(ErrorCode::InvalidArgument, fmt::format("'{}' is not {}", field, expected));
}

// An optional member of `object`: absent (nullptr), or of the type `is`
// accepts; anything else is malformed.
template <typename Check>
Result<const nlohmann::json*> member(const nlohmann::json& object, const char* name, Check is,
                                     const char* expected) {
  const auto it = object.find(name);
  if (it == object.end()) return static_cast<const nlohmann::json*>(nullptr);
  if (!is(*it)) return malformed(name, expected);
  return &*it;
}

Result<std::string> text(const nlohmann::json& object, const char* name) {
  SC_TRY_ASSIGN(
      const auto* value,
      member(
          object, name, [](const nlohmann::json& v) { return v.is_string(); }, "a string"));
  return value != nullptr ? value->get<std::string>() : std::string();
}

Result<std::int64_t> count(const nlohmann::json& object, const char* name) {
  SC_TRY_ASSIGN(const auto* value,
                member(
                    object, name,
                    [](const nlohmann::json& v) {
                      return v.is_number_unsigned() ||
                             (v.is_number_integer() && v.get<std::int64_t>() >= 0);
                    },
                    "a count (an integer of at least 0)"));
  if (value == nullptr) return std::int64_t{0};
  // Unsigned values above int64 are clamped rather than wrapped.
  if (value->is_number_unsigned()) {
    const auto big = value->get<std::uint64_t>();
    return static_cast<std::int64_t>(std::min<std::uint64_t>(big, INT64_MAX));
  }
  return value->get<std::int64_t>();
}

Result<RunCounts> decodeCounts(const nlohmann::json& recap) {
  RunCounts counts;
  SC_TRY_ASSIGN(counts.ok, count(recap, "ok"));
  SC_TRY_ASSIGN(counts.changed, count(recap, "changed"));
  SC_TRY_ASSIGN(counts.failed, count(recap, "failed"));
  SC_TRY_ASSIGN(counts.skipped, count(recap, "skipped"));
  SC_TRY_ASSIGN(counts.rescued, count(recap, "rescued"));
  SC_TRY_ASSIGN(counts.would_change, count(recap, "would_change"));
  return counts;
}

bool isObject(const nlohmann::json& v) { return v.is_object(); }

}  // namespace

Result<PushResult> decodePushResult(const nlohmann::json& result) {
  if (!result.is_object()) return malformed("result", "an object");
  PushResult decoded;
  SC_TRY_ASSIGN(const std::string event, text(result, "event"));
  if (event == "report") {
    decoded.kind = PushResult::Kind::Report;
    SC_TRY_ASSIGN(const auto* report, member(result, "report", isObject, "an object"));
    if (report == nullptr) return malformed("report", "present");
    SC_TRY_ASSIGN(const auto* recap, member(*report, "recap", isObject, "an object"));
    if (recap == nullptr) return malformed("report.recap", "present");
    SC_TRY_ASSIGN(decoded.counts, decodeCounts(*recap));
    SC_TRY_ASSIGN(const auto* check,
                  member(
                      *report, "check", [](const nlohmann::json& v) { return v.is_boolean(); },
                      "true or false"));
    decoded.check = check != nullptr && check->get<bool>();
    return decoded;
  }
  if (event == "already_applied") {
    decoded.kind = PushResult::Kind::AlreadyApplied;
    SC_TRY_ASSIGN(decoded.serial, count(result, "serial"));
    return decoded;
  }
  if (event == "lost") {
    decoded.kind = PushResult::Kind::Lost;
    return decoded;
  }
  decoded.kind = event == "refused" ? PushResult::Kind::Refused : PushResult::Kind::Failed;
  SC_TRY_ASSIGN(decoded.reason, text(result, "reason"));
  SC_TRY_ASSIGN(decoded.message, text(result, "message"));
  if (decoded.kind == PushResult::Kind::Failed && decoded.message.empty()) {
    decoded.message = event.empty() ? "no event" : event;
  }
  return decoded;
}

Result<std::string> decodeProgressLine(const nlohmann::json& progress) {
  if (!progress.is_object()) return malformed("progress", "an object");
  return text(progress, "line");
}

}  // namespace sc::controller::push
