// The resource interface: what every kind (file, copy, command, ...)
// implements, and all the engine knows of them (ARCHITECTURE.md decision 6,
// STYLE.md section 2).
//
// The engine owns policy. For each resource it calls, in order:
//   create (registry) -> validate -> bindRegistered -> observe -> diff
//   -> apply (unless check mode or the diff is empty) -> observe -> diff
// Check mode is the engine not calling apply; drift is observe + diff;
// reports print the same Diff. None of them can disagree with apply.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "agent/host/host.h"
#include "common/error.h"
#include "common/manifest/manifest.h"

namespace sc::agent {

// What observe() saw, as a JSON object. Each kind documents its fields in
// docs/resources.md; the engine never looks inside.
using State = nlohmann::json;

// One difference between current and desired state.
struct Change {
  std::string field;       // "state", "content", "mode", "owner", "line", "run", ...
  std::string before;      // the current value as text; empty when there is none
  std::string after;       // the desired value as text
  std::string detail;      // a unified diff for content, else empty
  bool sensitive = false;  // holds content: redacted for no_log resources
};

// Empty means in sync.
struct Diff {
  std::vector<Change> changes;

  bool empty() const { return changes.empty(); }
  bool has(std::string_view field) const { return find(field) != nullptr; }
  const Change* find(std::string_view field) const {
    for (const auto& change : changes) {
      if (change.field == field) return &change;
    }
    return nullptr;
  }
};

// What a resource may know besides its parameters: limits and the run's
// backup hook, set by whoever runs the engine (sc-agent apply).
struct ResourceContext {
  std::uint64_t max_file_bytes = 0;
  // Keeps the current bytes of a managed file before it is replaced or
  // removed (the backup store). May be empty (tests): nothing is kept.
  // Only apply() calls it, so check mode never does.
  std::function<Result<void>(const std::string& path, std::string_view content,
                             const FileInfo& info)>
      backup;
};

// A path a resource claims to own outright, to find two resources that
// contradict each other before anything runs (SECURITY.md B-09).
struct PathClaim {
  std::string path;
  std::string desired;  // fingerprint of the desired state; equal claims agree
  bool is_directory = false;
};

class Resource {
 public:
  virtual ~Resource() = default;

  // Desired state only, no host: semantic checks beyond parameter types
  // (create() has checked those). All resources are validated before any
  // is observed. Errors name the parameter.
  [[nodiscard]] virtual Result<void> validate() const = 0;

  // Gives kinds that read earlier results at run time (assert, debug) the
  // registered values. Most kinds ignore it.
  [[nodiscard]] virtual Result<void> bindRegistered(const nlohmann::json& /*registered*/) {
    return ok();
  }

  // Reads the current state. Never writes.
  [[nodiscard]] virtual Result<State> observe(Host& host) const = 0;

  // Pure. Empty means in sync; each change holds old, new and display text.
  [[nodiscard]] virtual Diff diff(const State& current) const = 0;

  // Makes exactly the changes in `diff`, which diff(current) returned;
  // `current` supplies what observe saw (ids, inodes, old content for the
  // backup). May add return values (rc, stdout, ...) to `result`, the
  // resource's registered result.
  [[nodiscard]] virtual Result<void> apply(Host& host, const State& current, const Diff& diff,
                                           nlohmann::json& result) = 0;

  // False for kinds that perform an action rather than reach a state
  // (command, shell): the engine does not re-observe them after apply.
  virtual bool convergent() const { return true; }

  // The time left before the run's deadline (--timeout); kinds that run
  // programs cap their own timeout to it.
  virtual void limitTimeout(std::chrono::milliseconds /*left*/) {}

  // Adds the kind's return values for an observed state to its registered
  // result (stat's `stat`, debug's `msg`).
  virtual void describe(const State& /*current*/, nlohmann::json& /*result*/) const {}

  // Paths this resource owns outright (file, copy, template); none for
  // kinds that edit part of a file.
  virtual std::vector<PathClaim> claims() const { return {}; }

  // Short display name: "file[/etc/nginx/nginx.conf]".
  virtual std::string title() const = 0;
};

}  // namespace sc::agent
