// The resource engine: turns a parsed manifest into a plan (every resource
// created and validated, conflicts and cycles found, before anything is
// observed) and runs it against a Host.
//
// Policy lives here, not in the kinds (STYLE.md section 2): order, `when`,
// tags, check mode, changed_when / failed_when, handlers and their
// persisted notifications, blocks with rescue and always parts, the failure
// policy, the run deadline and the corrective flag.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/engine/report.h"
#include "agent/resources/registry.h"
#include "agent/state/state_dir.h"
#include "common/manifest/manifest.h"

namespace sc::agent {

struct RunOptions {
  bool check = false;
  std::vector<std::string> tags;       // only resources with one of these
  std::vector<std::string> skip_tags;  // never resources with one of these
  std::uint64_t max_file_bytes = 0;
  std::optional<std::chrono::milliseconds> run_timeout;
};

struct PlannedResource {
  const manifest::ResourceSpec* spec;
  bool is_flush = false;
};

// A validated manifest, ready to run. Holds pointers into the manifest and
// the registry, so both must outlive it.
//
// makePlan creates and validates every resource once and lets it go; the
// run creates each again from its spec (or, for late-bound parameters, from
// the spec with them filled in) just before running it. So one resource
// lives at a time and memory stays flat however long the manifest is.
struct Plan {
  const manifest::Manifest* manifest = nullptr;
  std::vector<PlannedResource> resources;
  std::vector<PlannedResource> handlers;
  const Registry* registry = nullptr;
  ResourceContext context;
};

// Everything that can be refused before any host access: unknown kinds,
// bad parameters (except those filled in at run time, checked then), conflicting claims (B-09),
// handler notification cycles (B-10), a malformed block structure. `context` is handed to every
// resource.
Result<Plan> makePlan(const manifest::Manifest& manifest, const Registry& registry,
                      const ResourceContext& context);

class Engine {
 public:
  using Listener = std::function<void(const ResourceReport&)>;

  // `state` may be null (no persistence: unit tests, check-only tools).
  Engine(Host& host, StateDir* state, RunOptions options, Listener listener);

  RunReport run(Plan& plan);

 private:
  struct Progress;
  ResourceReport runOne(const Plan& plan, const PlannedResource& planned, bool handler,
                        Progress& progress);
  // Runs the pending handlers. After a failure, `stop_on_failure` skips the
  // rest of this flush; `rescuable` marks failures as going to a rescue
  // part. Returns whether a handler failed (an ignored failure does not
  // count).
  bool flushHandlers(Plan& plan, Progress& progress, bool stop_on_failure, bool rescuable);
  void emit(ResourceReport report, Progress& progress);
  bool tagSelected(const manifest::ResourceSpec& spec) const;

  Host& host_;
  StateDir* state_;
  RunOptions options_;
  Listener listener_;
};

// Fingerprint of a resource's desired state (type + params): what the
// engine records as converged.
std::string desiredFingerprint(const manifest::ResourceSpec& spec);

}  // namespace sc::agent
