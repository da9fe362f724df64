#include "controller/push/fleet_run.h"

#include <nlohmann/json.hpp>

#include "common/exit_codes.h"
#include "common/text/escape.h"

namespace sc::controller::push {
namespace {

using Status = HostOutcome::Status;

std::chrono::milliseconds left(std::chrono::steady_clock::time_point deadline) {
  return std::max(std::chrono::milliseconds(1),
                  std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - std::chrono::steady_clock::now()));
}

HostOutcome outcomeOf(const nlohmann::json& result) {
  const std::string event = result.value("event", "");
  if (event == "report") {
    const auto recap =
        result.value("report", nlohmann::json::object()).value("recap", nlohmann::json::object());
    const int failed = recap.value("failed", 0);
    const int changed = recap.value("changed", 0);
    const int would_change = recap.value("would_change", 0);
    HostOutcome outcome;
    outcome.status = failed > 0                   ? Status::Failed
                     : changed + would_change > 0 ? Status::Changed
                                                  : Status::Ok;
    // The same counts, in the same words, as sc-agent's own recap line.
    outcome.detail =
        fmt::format("ok={} changed={} failed={} skipped={} rescued={}", recap.value("ok", 0),
                    changed, failed, recap.value("skipped", 0), recap.value("rescued", 0));
    if (result.value("report", nlohmann::json::object()).value("check", false)) {
      outcome.detail += fmt::format(" would_change={}", would_change);
    }
    return outcome;
  }
  if (event == "already_applied") {
    return {Status::Ok,
            "already applied (serial " + std::to_string(result.value("serial", 0)) + ")"};
  }
  if (event == "refused") {
    return {Status::Refused,
            fmt::format("refused [{}] {}", text::escapeControl(result.value("reason", "")),
                        text::escapeControl(result.value("message", "")))};
  }
  if (event == "lost") return {Status::Lost, "session lost during the run; state unknown"};
  return {Status::Failed, "failed: " + text::escapeControl(result.value("message", event))};
}

}  // namespace

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
      // The agent's text: control bytes escaped (T-20), and every line of a
      // multi-line diff under its host, so no line can pass as another
      // host's.
      const std::string line = (*event)["progress"].value("line", "");
      std::size_t start = 0;
      do {
        const std::size_t end = std::min(line.find('\n', start), line.size());
        std::fprintf(
            out, "%s | %s\n", text::escapeControl(host).c_str(),
            text::escapeControl(std::string_view(line).substr(start, end - start)).c_str());
        start = end + 1;
      } while (start < line.size());
      std::fflush(out);
    } else if (kind == "unreachable") {
      outcomes[host] = {Status::Unreachable, "unreachable: no session with this host"};
      waiting.erase(host);
    } else if (kind == "result") {
      outcomes[host] = outcomeOf(event->value("result", nlohmann::json::object()));
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
