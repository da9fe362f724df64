#include "controller/push/fleet_run.h"

#include <nlohmann/json.hpp>

#include "common/exit_codes.h"
#include "common/text/escape.h"
#include "controller/push/agent_answers.h"

namespace sc::controller::push {
namespace {

using Status = HostOutcome::Status;

std::chrono::milliseconds left(std::chrono::steady_clock::time_point deadline) {
  return std::max(std::chrono::milliseconds(1),
                  std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - std::chrono::steady_clock::now()));
}

}  // namespace

HostOutcome outcomeOfResult(const nlohmann::json& result) {
  auto decoded = decodePushResult(result);
  if (!decoded) {
    return {Status::Failed,
            "malformed result from the agent: " + text::escapeControl(decoded.error().message())};
  }
  switch (decoded->kind) {
    case PushResult::Kind::Report: {
      const RunCounts& counts = decoded->counts;
      HostOutcome outcome;
      // Compared, not added: both are the agent's numbers, up to INT64_MAX.
      outcome.status = counts.failed > 0                               ? Status::Failed
                       : counts.changed > 0 || counts.would_change > 0 ? Status::Changed
                                                                       : Status::Ok;
      // The same counts, in the same words, as sc-agent's own recap line.
      outcome.detail = fmt::format("ok={} changed={} failed={} skipped={} rescued={}", counts.ok,
                                   counts.changed, counts.failed, counts.skipped, counts.rescued);
      if (decoded->check) outcome.detail += fmt::format(" would_change={}", counts.would_change);
      return outcome;
    }
    case PushResult::Kind::AlreadyApplied:
      return {Status::Ok, fmt::format("already applied (serial {})", decoded->serial)};
    case PushResult::Kind::Refused:
      return {Status::Refused, fmt::format("refused [{}] {}", text::escapeControl(decoded->reason),
                                           text::escapeControl(decoded->message))};
    case PushResult::Kind::Lost:
      return {Status::Lost, "session lost during the run; state unknown"};
    case PushResult::Kind::Failed:
      break;
  }
  return {Status::Failed, "failed: " + text::escapeControl(decoded->message)};
}

std::vector<std::string> progressLines(std::string_view host, const nlohmann::json& progress) {
  const std::string who = text::escapeControl(host);
  auto line = decodeProgressLine(progress);
  if (!line) {
    return {fmt::format("{} | malformed progress from the agent: {}", who,
                        text::escapeControl(line.error().message()))};
  }
  // Control bytes escaped (T-20), and every line of a multi-line diff under
  // its host, so no line can pass as another host's.
  std::vector<std::string> lines;
  std::size_t start = 0;
  do {
    const std::size_t end = std::min(line->find('\n', start), line->size());
    lines.push_back(fmt::format(
        "{} | {}", who, text::escapeControl(std::string_view(*line).substr(start, end - start))));
    start = end + 1;
  } while (start < line->size());
  return lines;
}

Result<std::set<std::string>> connectedHosts(AdminClient& admin) {
  SC_TRY(admin.send({{"op", "hosts"}}));
  SC_TRY_ASSIGN(const auto event, admin.next(std::chrono::seconds(30)));
  std::set<std::string> hosts;
  for (const auto& entry : event.value("hosts", nlohmann::json::array())) {
    hosts.insert(entry.value("host", ""));
  }
  return hosts;
}

Result<std::map<std::string, nlohmann::json>> gatherFacts(AdminClient& admin,
                                                          const std::set<std::string>& hosts,
                                                          std::chrono::seconds max_age,
                                                          std::chrono::milliseconds timeout) {
  for (const auto& host : hosts) {
    SC_TRY(admin.send({{"op", "facts"}, {"host", host}, {"max_age_seconds", max_age.count()}}));
  }
  std::map<std::string, nlohmann::json> facts;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t answers = 0;
  while (answers < hosts.size()) {
    auto event = admin.next(left(deadline));
    if (!event) {
      if (event.error().code() == ErrorCode::Timeout) break;
      return std::move(event.error());
    }
    const std::string host = event->value("host", "");
    ++answers;
    // Only the hosts asked, and only a JSON object of facts.
    if (event->value("event", "") != "facts" || hosts.count(host) == 0 ||
        !(*event)["facts"].is_object()) {
      continue;
    }
    facts[host] = std::move((*event)["facts"]);
  }
  return facts;
}

Result<std::map<std::string, HostOutcome>> pushEnvelopes(
    AdminClient& admin, const std::map<std::string, std::string>& envelopes,
    const PushSettings& settings, std::FILE* out) {
  std::map<std::string, HostOutcome> outcomes;
  for (const auto& [host, envelope] : envelopes) {
    SC_TRY(admin.send({{"op", "push"},
                       {"host", host},
                       {"envelope", envelope},
                       {"check", settings.check},
                       {"diff", settings.diff}}));
  }
  const auto deadline = std::chrono::steady_clock::now() + settings.timeout;
  std::set<std::string> waiting;
  for (const auto& [host, envelope] : envelopes) waiting.insert(host);
  while (!waiting.empty()) {
    auto event = admin.next(left(deadline));
    if (!event) {
      // The deadline, or the controller gone (restarted mid-push): every
      // host still running is reported, never dropped from the recap.
      const std::string why = event.error().code() == ErrorCode::Timeout
                                  ? "no result before the deadline; state unknown"
                                  : "lost the controller during the run (" +
                                        event.error().message() + "); state unknown";
      for (const auto& host : waiting) outcomes[host] = {Status::Lost, why};
      break;
    }
    const std::string host = event->value("host", "");
    if (waiting.count(host) == 0) continue;
    const std::string kind = event->value("event", "");
    if (kind == "progress") {
      for (const auto& line : progressLines(host, (*event)["progress"])) {
        std::fprintf(out, "%s\n", line.c_str());
      }
      std::fflush(out);
    } else if (kind == "unreachable") {
      outcomes[host] = {Status::Unreachable, "unreachable: no session with this host"};
      waiting.erase(host);
    } else if (kind == "result") {
      outcomes[host] = outcomeOfResult((*event)["result"]);
      waiting.erase(host);
    }
  }
  return outcomes;
}

int printRecap(const std::map<std::string, HostOutcome>& outcomes, std::FILE* out) {
  std::fprintf(out, "\nRECAP\n");
  bool failed = false;
  bool unreachable = false;
  for (const auto& [host, outcome] : outcomes) {
    std::fprintf(out, "%-30s : %s\n", text::escapeControl(host).c_str(), outcome.detail.c_str());
    failed = failed || outcome.status == Status::Failed || outcome.status == Status::Refused ||
             outcome.status == Status::Lost;
    unreachable = unreachable || outcome.status == Status::Unreachable;
  }
  if (failed) return exit_code::kFailed;
  if (unreachable) return exit_code::kUnreachable;
  return exit_code::kDone;
}

}  // namespace sc::controller::push
