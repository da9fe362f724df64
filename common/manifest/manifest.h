// The desired-state manifest: one fully resolved document per host, the
// only thing the controller sends the agent to apply. Its JSON schema is
// documented in docs/manifest.md; parseManifest() enforces it strictly
// (unknown fields and wrong types are errors naming the JSON pointer).
//
// The model knows nothing of what a resource kind means: `params` stays a
// JSON object here, and each kind in agent/resources validates its own.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/heap_optional.h"
#include "common/manifest/condition.h"
#include "common/manifest/late_binding.h"

namespace sc::manifest {

inline constexpr int kFormatVersion = 1;

// Ansible's per-task `check_mode:` override.
enum class CheckModeOverride {
  Inherit,      // follow the run (--check or not)
  AlwaysCheck,  // check_mode: true  - never changes the host
  NeverCheck,   // check_mode: false - applies even in a --check run
};

// What the engine does after a resource fails.
enum class FailurePolicy {
  Stop,      // Ansible's default: the rest of the run is skipped
  Continue,  // Puppet's: independent resources still converge
};

// The three parts of an Ansible block, in the order they appear.
enum class BlockPart {
  Block,   // runs first; a failure skips the rest of it and runs the rescue part
  Rescue,  // runs only after a failure in the block part; succeeding rescues it
  Always,  // runs whatever happened in the other two parts
};

// "block", "rescue" or "always": the manifest's spelling.
std::string_view blockPartName(BlockPart part);

// One enclosing section of a resource: the block (by its id, unique in the
// manifest) and the part of it the resource is in.
struct BlockSection {
  std::string id;
  BlockPart part = BlockPart::Block;

  bool operator==(const BlockSection&) const = default;
};

// One item of a looped task that registers its result: the agent gathers
// the items' results into one value under the register name, shaped as
// Ansible's (`out.results[i]`, `out.changed` when any changed, ...).
struct LoopItem {
  std::string task;         // the same for every item of one loop
  std::uint64_t index = 0;  // the item's place in the loop, from 0
  std::uint64_t count = 0;  // how many items the loop has
  std::string var = "item";
  nlohmann::json item;  // the item's value, kept in its result

  bool operator==(const LoopItem&) const = default;
};

struct ResourceSpec {
  std::string id;    // stable, unique within the manifest
  std::string type;  // the kind: "file", "copy", ...
  std::string name;  // what the playbook called the task (display only)
  nlohmann::json params = nlohmann::json::object();
  std::vector<std::string> notify;  // handler ids
  std::vector<std::string> tags;
  CheckModeOverride check_mode = CheckModeOverride::Inherit;
  // On the heap: most resources have none, and a manifest holds thousands.
  HeapOptional<Condition> when;
  HeapOptional<Condition> changed_when;
  HeapOptional<Condition> failed_when;
  std::string register_as;      // name under which the result is kept; empty: none
  HeapOptional<LoopItem> loop;  // set only on looped tasks that register
  // Parameters made at run time from registered results; the resource is
  // created and validated once they are filled in.
  std::vector<LateBinding> late;
  bool ignore_errors = false;
  bool no_log = false;  // redact parameters and diffs in every output
  // The block sections around the resource, outermost first; empty when it
  // is in no block. Never set on handlers.
  std::vector<BlockSection> block;
  std::string pointer;  // "/resources/3": where it sits in the document
};

struct Manifest {
  int format_version = kFormatVersion;
  std::string host;
  std::uint64_t serial = 0;
  std::string issued_at;   // RFC 3339, optional until signing arrives
  std::string expires_at;  // RFC 3339, optional until signing arrives
  std::string key_id;      // the signing key's id (envelope/ed25519.h); in signed manifests
  FailurePolicy on_failure = FailurePolicy::Stop;
  std::vector<ResourceSpec> resources;
  std::vector<ResourceSpec> handlers;
};

// `source_name` names the document in errors ("web1.json").
Result<Manifest> parseManifest(std::string_view bytes, std::string_view source_name);

// The block structure of resources, checked by parseManifest and again by
// the engine's plan (a manifest built in code may not have been parsed):
// each block's resources are contiguous, its parts come in the order
// block, rescue, always, it is nested in the same sections everywhere, no
// section repeats a block around the same resource, and handlers are in no
// block. Errors name the resource's JSON pointer.
Result<void> checkBlocks(const Manifest& manifest);

// The canonical JSON form; parseManifest(toJson(m)) == m.
nlohmann::json toJson(const Manifest& manifest);

}  // namespace sc::manifest
