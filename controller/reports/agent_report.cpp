#include "controller/reports/agent_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "common/text/escape.h"
#include "common/time/rfc3339.h"
#include "controller/push/agent_answers.h"

namespace sc::controller::reports {
namespace {

// A mail lists at most this many resources; the rest are counted.
constexpr std::size_t kMaxListedResources = 50;

Error malformed(const std::string& field, const std::string& expected) {
  return Error(ErrorCode::InvalidArgument, fmt::format("'{}' is not {}", field, expected));
}

Result<bool> flag(const nlohmann::json& message, const char* name) {
  const auto it = message.find(name);
  if (it == message.end()) return false;
  if (!it->is_boolean()) return malformed(name, "true or false");
  return it->get<bool>();
}

Result<std::int64_t> nonNegative(const nlohmann::json& message, const char* name) {
  const auto it = message.find(name);
  if (it == message.end()) return std::int64_t{0};
  if (it->is_number_unsigned() && it->get<std::uint64_t>() <= INT64_MAX) {
    return static_cast<std::int64_t>(it->get<std::uint64_t>());
  }
  if (it->is_number_integer() && it->get<std::int64_t>() >= 0) return it->get<std::int64_t>();
  return malformed(name, "an integer of at least 0");
}

StoredReport fromResult(const std::string& host, const push::PushResult& decoded,
                        const nlohmann::json& result, std::int64_t now) {
  StoredReport row;
  row.host = host;
  row.check = decoded.check;
  row.changed = decoded.check ? decoded.counts.would_change : decoded.counts.changed;
  row.failed = decoded.counts.failed;
  const auto exit_code = result.find("exit_code");
  row.exit_code = exit_code != result.end() && exit_code->is_number_integer()
                      ? exit_code->get<std::int64_t>()
                      : 0;
  row.received_at = row.ran_at = now;
  row.body = result.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return row;
}

// "  - file[/etc/nginx/nginx.conf]: would_change (content)" for each
// resource that changed, would change or failed.
std::string resourceLines(const nlohmann::json& report) {
  std::string lines;
  std::size_t listed = 0, unlisted = 0;
  const auto resources = report.find("resources");
  if (resources == report.end() || !resources->is_array()) return lines;
  for (const auto& resource : *resources) {
    if (!resource.is_object()) continue;
    const std::string outcome = resource.value("outcome", "");
    if (outcome != "changed" && outcome != "would_change" && outcome != "failed") continue;
    if (++listed > kMaxListedResources) {
      ++unlisted;
      continue;
    }
    std::string fields;
    if (const auto changes = resource.find("changes");
        changes != resource.end() && changes->is_array()) {
      for (const auto& change : *changes) {
        if (!change.is_object() || !change.contains("field") || !change["field"].is_string())
          continue;
        fields += fields.empty() ? "" : ", ";
        fields += change["field"].get<std::string>();
      }
    }
    const std::string title = resource.value("title", "").empty() ? resource.value("id", "?")
                                                                  : resource.value("title", "");
    lines += fmt::format("  - {}: {}{}\n", text::escapeControl(title), outcome,
                         fields.empty() ? "" : " (" + text::escapeControl(fields) + ")");
    if (outcome == "failed" && resource.contains("message") && resource["message"].is_string()) {
      lines +=
          fmt::format("      {}\n", text::escapeControl(resource["message"].get<std::string>()));
    }
  }
  if (unlisted > 0) lines += fmt::format("  ... and {} more\n", unlisted);
  return lines;
}

}  // namespace

Result<StoredReport> decodeAgentReport(const std::string& host, const nlohmann::json& message,
                                       std::int64_t now) {
  if (!message.is_object()) return malformed("report", "an object");
  const auto id = message.find("report_id");
  if (id == message.end() || !id->is_string() || !isReportId(id->get<std::string>())) {
    return malformed("report_id", "32 lowercase hexadecimal digits");
  }
  const auto trigger = message.find("trigger");
  if (trigger == message.end() || *trigger != "schedule") {
    return malformed("trigger", "\"schedule\"");
  }
  SC_TRY_ASSIGN(const auto decoded, push::decodePushResult(message));
  if (decoded.kind != push::PushResult::Kind::Report) return malformed("event", "\"report\"");
  StoredReport row = fromResult(host, decoded, message, now);
  row.report_id = id->get<std::string>();
  row.trigger = "schedule";
  SC_TRY_ASSIGN(row.stale, flag(message, "stale"));
  SC_TRY_ASSIGN(const auto serial, nonNegative(message, "serial"));
  row.serial = static_cast<std::uint64_t>(serial);
  SC_TRY_ASSIGN(row.ran_at, nonNegative(message, "ran_at"));
  return row;
}

std::optional<StoredReport> pushedRunReport(const std::string& host, const nlohmann::json& result,
                                            std::int64_t now) {
  auto decoded = push::decodePushResult(result);
  if (!decoded || decoded->kind != push::PushResult::Kind::Report) return std::nullopt;
  StoredReport row = fromResult(host, *decoded, result, now);
  row.trigger = "push";
  // The agent says which serial it ran beside the report, and in it.
  const auto report = result.find("report");
  const auto& source = result.contains("serial") || report == result.end() ? result : *report;
  if (auto serial = nonNegative(source, "serial")) row.serial = static_cast<std::uint64_t>(*serial);
  return row;
}

ReportDigest digestOf(const StoredReport& report) {
  std::vector<std::string> found;
  const auto parsed = nlohmann::json::parse(report.body, nullptr, /*allow_exceptions=*/false);
  const nlohmann::json* resources = nullptr;
  if (parsed.is_object() && parsed.contains("report") && parsed["report"].is_object() &&
      parsed["report"].contains("resources") && parsed["report"]["resources"].is_array()) {
    resources = &parsed["report"]["resources"];
  }
  if (resources != nullptr) {
    for (const auto& resource : *resources) {
      if (!resource.is_object()) continue;
      const std::string outcome = resource.value("outcome", "");
      if (outcome == "changed" || outcome == "would_change" || outcome == "failed") {
        found.push_back(resource.value("id", "?") + "=" + outcome);
      }
    }
  }
  if (found.empty() && (report.changed > 0 || report.failed > 0)) {
    found.push_back(fmt::format("changed={} failed={}", report.changed, report.failed));
  }
  std::sort(found.begin(), found.end());
  return ReportDigest{report.stale, std::move(found)};
}

std::optional<OutgoingMail> alertFor(const StoredReport& report,
                                     const std::optional<ReportDigest>& previous,
                                     std::int64_t now) {
  const bool newly_stale = report.stale && !(previous && previous->stale);
  const auto found = digestOf(report).findings;
  // The same findings twice are one piece of news, not two mails.
  const bool news = !found.empty() && (!previous || previous->findings != found);
  if (!newly_stale && !news) return std::nullopt;

  std::vector<std::string> what;
  if (news && report.failed > 0) what.push_back(fmt::format("{} failed", report.failed));
  if (news && report.changed > 0) {
    what.push_back(
        fmt::format("{} drifted{}", report.changed, report.check ? "" : " and corrected"));
  }
  if (newly_stale) what.push_back("manifest expired");
  OutgoingMail mail;
  mail.subject = fmt::format("[smartcookies] {}: {}", report.host, fmt::join(what, ", "));
  std::string body = fmt::format("Host:    {}\nRun:     scheduled {} run at {}\nSerial:  {}\n",
                                 report.host, report.check ? "check" : "enforcing",
                                 time::formatRfc3339(report.ran_at), report.serial);
  if (report.stale) {
    body += fmt::format(
        "\nThe manifest this host enforces has expired. The agent keeps enforcing it\n"
        "(the last state it was given) and marks every report stale until a new\n"
        "manifest arrives: run `scctl apply` for {}.\n",
        report.host);
  }
  const auto parsed = nlohmann::json::parse(report.body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object() && parsed.contains("report") && parsed["report"].is_object()) {
    const std::string lines = resourceLines(parsed["report"]);
    if (!lines.empty()) {
      body += report.check ? "\nDrifted from the manifest (not changed; a check run):\n"
                           : "\nResources this run changed or could not converge:\n";
      body += lines;
    }
  }
  body += fmt::format("\nAll reports of this host: scctl reports --host {}\n", report.host);
  mail.body = std::move(body);
  mail.message_id = fmt::format("{}.{}@smartcookies",
                                report.report_id.empty() ? "push" : report.report_id, report.host);
  mail.created_at = now;
  return mail;
}

}  // namespace sc::controller::reports
