// What one run did, resource by resource: the outcome of each, the changes
// (the same Diff that apply made or check mode predicted), and the recap.
// Printed as status lines + an Ansible-style recap, or as JSON (--json).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agent/resources/resource.h"

namespace sc::agent {

inline constexpr int kReportFormatVersion = 1;

// CFEngine's kept / repaired / not kept, plus check mode and skips.
enum class Outcome { Ok, Changed, WouldChange, Failed, Skipped };

std::string_view outcomeName(Outcome outcome);

struct ResourceReport {
  std::string id;
  std::string type;
  std::string title;  // "file[/etc/motd]"
  std::string name;   // the task name, when the playbook gave one
  Outcome outcome = Outcome::Ok;
  bool corrective = false;  // undid drift from a state it had converged to
  bool handler = false;
  // Failed inside the block part of a block that has a rescue part, so the
  // failure went to a rescue: counted under `rescued`, not `failed`, as
  // Ansible counts it (even when the rescue then fails itself).
  bool rescued = false;
  std::vector<Change> changes;  // already redacted for no_log resources
  std::string message;          // error text, skip reason or debug message
  std::string reason;           // reason code when failed ("unsafe_path", ...)
  double duration_ms = 0;
};

struct Recap {
  int ok = 0;
  int changed = 0;
  int would_change = 0;
  int failed = 0;
  int skipped = 0;
  int rescued = 0;  // failures handed to a rescue part (also not in `failed`)
};

struct RunReport {
  std::string host;
  std::uint64_t serial = 0;
  bool check = false;
  bool previous_run_interrupted = false;
  std::vector<ResourceReport> resources;
  std::int64_t started_ns = 0;
  double duration_ms = 0;
  // Every result the run registered, by name (not part of the JSON report):
  // for callers that run a resource to read its result.
  nlohmann::json registered = nlohmann::json::object();

  Recap recap() const;
};

nlohmann::json toJson(const ResourceReport& report);
nlohmann::json toJson(const RunReport& report);

// "changed: file[/etc/motd] content changed (corrective)" and, with
// `with_diff`, the diff text. Control bytes are escaped (T-20).
std::string statusLine(const ResourceReport& report, bool with_diff);

// "web1 : ok=38 changed=2 failed=0 skipped=1 rescued=0".
std::string recapLine(const RunReport& report);

}  // namespace sc::agent
