#include "agent/engine/report.h"

#include "common/text/escape.h"

namespace sc::agent {

std::string_view outcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::Ok:
      return "ok";
    case Outcome::Changed:
      return "changed";
    case Outcome::WouldChange:
      return "would_change";
    case Outcome::Failed:
      return "failed";
    case Outcome::Skipped:
      return "skipped";
  }
  return "ok";
}

Recap RunReport::recap() const {
  Recap recap;
  for (const auto& resource : resources) {
    switch (resource.outcome) {
      case Outcome::Ok:
        ++recap.ok;
        break;
      case Outcome::Changed:
        ++recap.changed;
        break;
      case Outcome::WouldChange:
        ++recap.would_change;
        break;
      case Outcome::Failed:
        // A failure handed to a rescue part counts as rescued (Ansible's
        // stats), so a rescued run does not exit 1.
        ++(resource.rescued ? recap.rescued : recap.failed);
        break;
      case Outcome::Skipped:
        ++recap.skipped;
        break;
    }
  }
  return recap;
}

nlohmann::json toJson(const ResourceReport& r) {
  nlohmann::json changes = nlohmann::json::array();
  for (const auto& change : r.changes) {
    nlohmann::json c{{"field", change.field}, {"before", change.before}, {"after", change.after}};
    if (!change.detail.empty()) c["diff"] = change.detail;
    changes.push_back(std::move(c));
  }
  nlohmann::json entry{{"id", r.id},
                       {"type", r.type},
                       {"title", r.title},
                       {"outcome", outcomeName(r.outcome)},
                       {"changes", std::move(changes)},
                       {"duration_ms", r.duration_ms}};
  if (!r.name.empty()) entry["name"] = r.name;
  if (r.corrective) entry["corrective"] = true;
  if (r.handler) entry["handler"] = true;
  if (r.rescued) entry["rescued"] = true;
  if (!r.message.empty()) entry["message"] = r.message;
  if (!r.reason.empty()) entry["reason"] = r.reason;
  return entry;
}

nlohmann::json toJson(const RunReport& report) {
  const Recap recap = report.recap();
  nlohmann::json resources = nlohmann::json::array();
  for (const auto& r : report.resources) resources.push_back(toJson(r));
  nlohmann::json out{{"format_version", kReportFormatVersion},
                     {"host", report.host},
                     {"serial", report.serial},
                     {"check", report.check},
                     {"started_ns", report.started_ns},
                     {"duration_ms", report.duration_ms},
                     {"recap",
                      {{"ok", recap.ok},
                       {"changed", recap.changed},
                       {"would_change", recap.would_change},
                       {"failed", recap.failed},
                       {"skipped", recap.skipped},
                       {"rescued", recap.rescued}}},
                     {"resources", std::move(resources)}};
  if (report.previous_run_interrupted) out["previous_run_interrupted"] = true;
  // Invalid UTF-8 from a file or a command must not make the report fail.
  return out;
}

std::string statusLine(const ResourceReport& report, bool with_diff) {
  std::string line = fmt::format("{}: {}", outcomeName(report.outcome), report.title);
  if (report.handler) line += " (handler)";
  if (report.outcome == Outcome::Changed || report.outcome == Outcome::WouldChange) {
    std::vector<std::string> parts;
    for (const auto& change : report.changes) {
      if (change.field == "state") {
        parts.push_back(fmt::format("{} -> {}", change.before.empty() ? "absent" : change.before,
                                    change.after));
      } else if (change.field == "run") {
        parts.emplace_back(report.outcome == Outcome::Changed ? "ran" : "would run");
      } else if (change.field == "content" || change.field == "times") {
        parts.push_back(change.field + " changed");
      } else if (change.before.empty()) {
        parts.push_back(fmt::format("{} '{}'", change.field, change.after));
      } else {
        parts.push_back(fmt::format("{} '{}' -> '{}'", change.field, change.before, change.after));
      }
    }
    line += fmt::format(" {}", fmt::join(parts, ", "));
    if (report.corrective) line += " (corrective)";
  }
  if (!report.message.empty()) line += fmt::format(": {}", report.message);
  if (report.rescued) line += " (rescued)";
  line = text::escapeControl(line);
  if (with_diff) {
    for (const auto& change : report.changes) {
      if (!change.detail.empty()) line += "\n" + text::escapeControlKeepLines(change.detail);
    }
    if (!line.empty() && line.back() == '\n') line.pop_back();
  }
  return line;
}

std::string recapLine(const RunReport& report) {
  const Recap recap = report.recap();
  std::string line = fmt::format("{} : ok={} changed={} failed={} skipped={} rescued={}",
                                 text::escapeControl(report.host), recap.ok, recap.changed,
                                 recap.failed, recap.skipped, recap.rescued);
  if (report.check) line += fmt::format(" would_change={}", recap.would_change);
  return line;
}

}  // namespace sc::agent
