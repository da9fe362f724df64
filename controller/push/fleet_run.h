// `scctl apply` over agent sessions: facts from the connected agents,
// then one signed envelope pushed to every targeted host at once, each
// host's lines printed as they happen, and a recap that lists every
// targeted host: run, refused, failed or unreachable, never skipped.
#pragma once

#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "controller/push/admin_client.h"

namespace sc::controller::push {

// The hosts with an open session now.
Result<std::set<std::string>> connectedHosts(AdminClient& admin);

// Asks each of `hosts` for its facts, taking those gathered up to
// `max_age` ago, and returns those that answered within `timeout`, by host. Kept in memory: a file
// per host would cost a thousand fsyncs on a large fleet, and they live for one run only.
Result<std::map<std::string, nlohmann::json>> gatherFacts(AdminClient& admin,
                                                          const std::set<std::string>& hosts,
                                                          std::chrono::seconds max_age,
                                                          std::chrono::milliseconds timeout);

struct PushSettings {
  bool check = false;
  bool diff = false;
  std::chrono::milliseconds timeout{std::chrono::hours(1)};  // for all hosts together
};

struct HostOutcome {
  enum class Status { Ok, Changed, Failed, Refused, Unreachable, Lost };
  Status status = Status::Unreachable;
  std::string detail;  // the recap line's text
};

// The recap entry of an agent's `result` answer (agent_answers.h); a
// malformed one is a failure that says so. Agent text comes out escaped.
HostOutcome outcomeOfResult(const nlohmann::json& result);

// The lines to print for an agent's `progress` answer: "HOST | text", one
// per line of its text, control bytes escaped (T-20).
std::vector<std::string> progressLines(std::string_view host, const nlohmann::json& progress);

// Pushes `envelopes` (host -> serialized envelope), streaming lines to
// `out`; returns each host's outcome.
Result<std::map<std::string, HostOutcome>> pushEnvelopes(
    AdminClient& admin, const std::map<std::string, std::string>& envelopes,
    const PushSettings& settings, std::FILE* out);

// Prints the recap and returns the exit code: 0 all converged, 1 a host
// failed or was refused, 6 only unreachable hosts kept it from success.
int printRecap(const std::map<std::string, HostOutcome>& outcomes, std::FILE* out);

}  // namespace sc::controller::push
