// Reading and writing the manifest's JSON form (docs/manifest.md).
#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "common/json/strict_json.h"
#include "common/limits.h"
#include "common/manifest/manifest.h"

namespace sc::manifest {
namespace {

using nlohmann::json;

Error schemaError(std::string pointer, std::string message) {
  return Error(ErrorCode::Schema, std::move(message), std::move(pointer));
}

// Checks that `object` has only `allowed` keys, naming the first stranger.
Result<void> onlyKnownKeys(const json& object, const std::string& pointer,
                           std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : object.items()) {
    bool known = false;
    for (auto name : allowed) known = known || name == key;
    if (!known) {
      std::string list;
      for (auto name : allowed) list += fmt::format("{}{}", list.empty() ? "" : ", ", name);
      return schemaError(pointer + "/" + sc::json::pointerToken(key),
                         fmt::format("unknown field '{}'; expected one of: {}", key, list));
    }
  }
  return ok();
}

Result<std::string> requiredString(const json& object, const std::string& pointer,
                                   std::string_view key) {
  const auto it = object.find(key);
  if (it == object.end()) {
    return schemaError(pointer + "/" + std::string(key),
                       fmt::format("missing required field '{}'", key));
  }
  if (!it->is_string()) {
    return schemaError(pointer + "/" + std::string(key),
                       fmt::format("expected a string, got {}", it->type_name()));
  }
  return it->get<std::string>();
}

Result<std::vector<std::string>> stringList(const json& object, const std::string& pointer,
                                            std::string_view key) {
  std::vector<std::string> out;
  const auto it = object.find(key);
  if (it == object.end()) return out;
  const std::string at = pointer + "/" + std::string(key);
  if (!it->is_array()) return schemaError(at, "expected an array of strings");
  for (std::size_t i = 0; i < it->size(); ++i) {
    if (!(*it)[i].is_string()) {
      return schemaError(fmt::format("{}/{}", at, i), "expected a string");
    }
    out.push_back((*it)[i].get<std::string>());
  }
  return out;
}

// Ids, tags and register names show up in terminals, logs and mail: keep
// them printable and short (SECURITY.md T-20).
Result<void> checkName(const std::string& value, const std::string& pointer,
                       std::string_view what) {
  if (value.empty()) return schemaError(pointer, fmt::format("{} must not be empty", what));
  if (value.size() > 1024) {
    return schemaError(pointer,
                       fmt::format("{} is {} bytes, over the limit of 1024", what, value.size()));
  }
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) {
      return schemaError(pointer, fmt::format("{} contains a control character", what));
    }
  }
  return ok();
}

Result<std::optional<Condition>> optionalCondition(const json& object, const std::string& pointer,
                                                   std::string_view key) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::optional<Condition>{};
  auto condition = parseCondition(*it, pointer + "/" + std::string(key));
  if (!condition) return condition.error();
  return std::optional<Condition>(std::move(*condition));
}

Result<bool> optionalBool(const json& object, const std::string& pointer, std::string_view key) {
  const auto it = object.find(key);
  if (it == object.end()) return false;
  if (!it->is_boolean()) {
    return schemaError(pointer + "/" + std::string(key),
                       fmt::format("expected true or false, got {}", it->type_name()));
  }
  return it->get<bool>();
}

std::optional<BlockPart> blockPartNamed(const std::string& name) {
  for (const auto part : {BlockPart::Block, BlockPart::Rescue, BlockPart::Always}) {
    if (name == blockPartName(part)) return part;
  }
  return std::nullopt;
}

// `block`: the enclosing sections, outermost first, each {"id", "part"}.
// Only the form is checked here; checkBlocks() checks the structure.
Result<std::vector<BlockSection>> blockSections(const json& object, const std::string& pointer) {
  std::vector<BlockSection> out;
  const auto it = object.find("block");
  if (it == object.end()) return out;
  const std::string at = pointer + "/block";
  if (!it->is_array()) {
    return schemaError(at,
                       fmt::format("expected an array of block sections, got {}", it->type_name()));
  }
  if (it->size() > limits::kMaxBlockDepth) {
    return Error(
        ErrorCode::TooDeep,
        fmt::format("{} block sections, over the limit of {}", it->size(), limits::kMaxBlockDepth),
        at);
  }
  out.reserve(it->size());
  for (std::size_t i = 0; i < it->size(); ++i) {
    const json& node = (*it)[i];
    const std::string here = fmt::format("{}/{}", at, i);
    if (!node.is_object()) {
      return schemaError(here,
                         fmt::format("expected a block section {{\"id\": ..., \"part\": ...}}, "
                                     "got {}",
                                     node.type_name()));
    }
    SC_TRY(onlyKnownKeys(node, here, {"id", "part"}));
    auto id = requiredString(node, here, "id");
    if (!id) return id.error();
    SC_TRY(checkName(*id, here + "/id", "block id"));
    auto part_name = requiredString(node, here, "part");
    if (!part_name) return part_name.error();
    const auto part = blockPartNamed(*part_name);
    if (!part) {
      return schemaError(
          here + "/part",
          fmt::format("unknown block part '{}'; expected block, rescue or always", *part_name));
    }
    out.push_back({std::move(*id), *part});
  }
  return out;
}

// "'b1' (block) > 'b2' (rescue)": the sections around a block, for errors.
std::string describeSections(const std::vector<BlockSection>& sections, std::size_t count) {
  if (count == 0) return "no block";
  std::string out;
  for (std::size_t i = 0; i < count; ++i) {
    out += fmt::format("{}'{}' ({})", i == 0 ? "" : " > ", sections[i].id,
                       blockPartName(sections[i].part));
  }
  return out;
}

Result<LoopItem> loopItem(const json& node, const std::string& pointer) {
  if (!node.is_object()) return schemaError(pointer, "expected an object");
  SC_TRY(onlyKnownKeys(node, pointer, {"task", "index", "count", "var", "item"}));
  LoopItem loop;
  auto task = requiredString(node, pointer, "task");
  if (!task) return task.error();
  loop.task = std::move(*task);
  for (auto [key, out] : {std::pair{"index", &loop.index}, std::pair{"count", &loop.count}}) {
    const auto it = node.find(key);
    if (it == node.end() || !it->is_number_unsigned()) {
      return schemaError(pointer + "/" + key, "expected a whole number");
    }
    *out = it->get<std::uint64_t>();
  }
  if (loop.index >= loop.count || loop.count > limits::kMaxResources) {
    return schemaError(pointer + "/index",
                       fmt::format("index {} is not below count {}", loop.index, loop.count));
  }
  if (auto it = node.find("var"); it != node.end()) {
    if (!it->is_string()) return schemaError(pointer + "/var", "expected a string");
    loop.var = it->get<std::string>();
  }
  if (auto it = node.find("item"); it != node.end()) loop.item = *it;
  return loop;
}

// Takes `node` apart: parameters are moved, not copied, so a large manifest
// is never held twice in memory.
Result<ResourceSpec> parseResource(json& node, const std::string& pointer, bool handler) {
  if (!node.is_object()) return schemaError(pointer, "expected a resource object");
  SC_TRY(onlyKnownKeys(
      node, pointer,
      {"id", "type", "name", "params", "notify", "tags", "check_mode", "when", "changed_when",
       "failed_when", "register", "loop", "late", "ignore_errors", "no_log", "block"}));
  ResourceSpec spec;
  spec.pointer = pointer;
  auto id = requiredString(node, pointer, "id");
  if (!id) return id.error();
  spec.id = std::move(*id);
  SC_TRY(checkName(spec.id, pointer + "/id", "id"));
  auto type = requiredString(node, pointer, "type");
  if (!type) return type.error();
  spec.type = std::move(*type);
  SC_TRY(checkName(spec.type, pointer + "/type", "type"));
  if (auto it = node.find("name"); it != node.end()) {
    if (!it->is_string()) return schemaError(pointer + "/name", "expected a string");
    spec.name = it->get<std::string>();
  }
  if (auto it = node.find("params"); it != node.end()) {
    if (!it->is_object()) return schemaError(pointer + "/params", "expected an object");
    spec.params = std::move(*it);
  }
  auto notify = stringList(node, pointer, "notify");
  if (!notify) return notify.error();
  spec.notify = std::move(*notify);
  auto tags = stringList(node, pointer, "tags");
  if (!tags) return tags.error();
  spec.tags = std::move(*tags);
  if (auto it = node.find("check_mode"); it != node.end() && !it->is_null()) {
    if (!it->is_boolean()) {
      return schemaError(pointer + "/check_mode", "expected true, false or null");
    }
    spec.check_mode =
        it->get<bool>() ? CheckModeOverride::AlwaysCheck : CheckModeOverride::NeverCheck;
  }
  auto when = optionalCondition(node, pointer, "when");
  if (!when) return when.error();
  spec.when = std::move(*when);
  auto changed_when = optionalCondition(node, pointer, "changed_when");
  if (!changed_when) return changed_when.error();
  spec.changed_when = std::move(*changed_when);
  auto failed_when = optionalCondition(node, pointer, "failed_when");
  if (!failed_when) return failed_when.error();
  spec.failed_when = std::move(*failed_when);
  if (auto it = node.find("register"); it != node.end()) {
    if (!it->is_string()) return schemaError(pointer + "/register", "expected a string");
    spec.register_as = it->get<std::string>();
    SC_TRY(checkName(spec.register_as, pointer + "/register", "register"));
  }
  if (auto it = node.find("loop"); it != node.end()) {
    if (spec.register_as.empty()) {
      return schemaError(pointer + "/loop", "'loop' is only for resources that register");
    }
    auto loop = loopItem(*it, pointer + "/loop");
    if (!loop) return loop.error();
    spec.loop = std::move(*loop);
  }
  if (auto it = node.find("late"); it != node.end()) {
    auto late = parseLateBindings(*it, pointer + "/late");
    if (!late) return late.error();
    spec.late = std::move(*late);
  }
  auto ignore_errors = optionalBool(node, pointer, "ignore_errors");
  if (!ignore_errors) return ignore_errors.error();
  spec.ignore_errors = *ignore_errors;
  auto no_log = optionalBool(node, pointer, "no_log");
  if (!no_log) return no_log.error();
  spec.no_log = *no_log;
  if (handler && node.contains("block")) {
    // Handlers run when notified, outside the task list, so they cannot be
    // in a block; the compiler never puts them in one.
    return schemaError(pointer + "/block", fmt::format("handler '{}' has 'block'; handlers "
                                                       "cannot be in a block",
                                                       spec.id));
  }
  auto block = blockSections(node, pointer);
  if (!block) return block.error();
  spec.block = std::move(*block);
  return spec;
}

Result<std::vector<ResourceSpec>> parseResourceList(json& root, std::string_view key,
                                                    bool required) {
  std::vector<ResourceSpec> out;
  const std::string pointer = fmt::format("/{}", key);
  const auto it = root.find(key);
  if (it == root.end()) {
    if (required) return schemaError(pointer, fmt::format("missing required field '{}'", key));
    return out;
  }
  if (!it->is_array()) return schemaError(pointer, "expected an array of resources");
  if (it->size() > limits::kMaxResources) {
    return Error(
        ErrorCode::TooLarge,
        fmt::format("{} resources, over the limit of {}", it->size(), limits::kMaxResources),
        pointer);
  }
  out.reserve(it->size());
  for (std::size_t i = 0; i < it->size(); ++i) {
    auto spec = parseResource((*it)[i], fmt::format("{}/{}", pointer, i), key == "handlers");
    if (!spec) return spec.error();
    out.push_back(std::move(*spec));
  }
  it->clear();
  return out;
}

Result<void> checkReferences(const Manifest& manifest) {
  std::unordered_set<std::string_view> ids;
  std::unordered_set<std::string_view> handler_ids;
  for (const auto* list : {&manifest.resources, &manifest.handlers}) {
    for (const auto& spec : *list) {
      if (!ids.insert(spec.id).second) {
        return Error(ErrorCode::Conflict, fmt::format("duplicate resource id '{}'", spec.id),
                     spec.pointer + "/id");
      }
      if (list == &manifest.handlers) handler_ids.insert(spec.id);
    }
  }
  for (const auto* list : {&manifest.resources, &manifest.handlers}) {
    for (const auto& spec : *list) {
      for (std::size_t i = 0; i < spec.notify.size(); ++i) {
        if (!handler_ids.contains(spec.notify[i])) {
          return schemaError(
              fmt::format("{}/notify/{}", spec.pointer, i),
              fmt::format("'{}' notifies '{}', which is not a handler", spec.id, spec.notify[i]));
        }
      }
    }
  }
  return ok();
}

json resourceToJson(const ResourceSpec& spec) {
  json out{{"id", spec.id}, {"type", spec.type}, {"params", spec.params}};
  if (!spec.name.empty()) out["name"] = spec.name;
  if (!spec.notify.empty()) out["notify"] = spec.notify;
  if (!spec.tags.empty()) out["tags"] = spec.tags;
  if (spec.check_mode != CheckModeOverride::Inherit) {
    out["check_mode"] = spec.check_mode == CheckModeOverride::AlwaysCheck;
  }
  if (spec.when) out["when"] = conditionToJson(*spec.when);
  if (spec.changed_when) out["changed_when"] = conditionToJson(*spec.changed_when);
  if (spec.failed_when) out["failed_when"] = conditionToJson(*spec.failed_when);
  if (!spec.register_as.empty()) out["register"] = spec.register_as;
  if (spec.loop) {
    out["loop"] = {{"task", spec.loop->task},
                   {"index", spec.loop->index},
                   {"count", spec.loop->count},
                   {"var", spec.loop->var},
                   {"item", spec.loop->item}};
  }
  if (!spec.late.empty()) out["late"] = lateBindingsToJson(spec.late);
  if (spec.ignore_errors) out["ignore_errors"] = true;
  if (spec.no_log) out["no_log"] = true;
  if (!spec.block.empty()) {
    json sections = json::array();
    for (const auto& section : spec.block) {
      sections.push_back({{"id", section.id}, {"part", std::string(blockPartName(section.part))}});
    }
    out["block"] = std::move(sections);
  }
  return out;
}

}  // namespace

std::string_view blockPartName(BlockPart part) {
  switch (part) {
    case BlockPart::Block:
      return "block";
    case BlockPart::Rescue:
      return "rescue";
    case BlockPart::Always:
      return "always";
  }
  return "block";
}

Result<void> checkBlocks(const Manifest& manifest) {
  for (const auto& spec : manifest.handlers) {
    if (!spec.block.empty()) {
      return schemaError(
          spec.pointer + "/block",
          fmt::format("handler '{}' has 'block'; handlers cannot be in a block", spec.id));
    }
  }
  // Per block id: the last resource seen in it, how deep it sits and the
  // part seen last. The engine walks the list once and relies on blocks
  // being contiguous, nested the same way everywhere, and parts in order.
  struct Seen {
    std::size_t last;
    std::size_t depth;
    BlockPart part;
  };
  std::unordered_map<std::string_view, Seen> seen;
  const auto& resources = manifest.resources;
  for (std::size_t i = 0; i < resources.size(); ++i) {
    const ResourceSpec& spec = resources[i];
    if (spec.block.size() > limits::kMaxBlockDepth) {
      return Error(ErrorCode::TooDeep,
                   fmt::format("{} block sections, over the limit of {}", spec.block.size(),
                               limits::kMaxBlockDepth),
                   spec.pointer + "/block");
    }
    for (std::size_t d = 0; d < spec.block.size(); ++d) {
      const BlockSection& section = spec.block[d];
      const std::string at = fmt::format("{}/block/{}", spec.pointer, d);
      for (std::size_t outer = 0; outer < d; ++outer) {
        if (spec.block[outer].id == section.id) {
          return schemaError(at + "/id",
                             fmt::format("block '{}' is inside itself (also at {}/block/{})",
                                         section.id, spec.pointer, outer));
        }
      }
      const auto [it, inserted] = seen.try_emplace(section.id, Seen{i, d, section.part});
      if (inserted) continue;
      Seen& before = it->second;
      const ResourceSpec& last = resources[before.last];
      if (before.last + 1 != i) {
        return schemaError(
            at + "/id",
            fmt::format("block '{}' continues here after resources outside it (its previous "
                        "resource is {}); the resources of a block must be contiguous",
                        section.id, last.pointer));
      }
      if (before.depth != d ||
          !std::equal(spec.block.begin(), spec.block.begin() + static_cast<std::ptrdiff_t>(d),
                      last.block.begin())) {
        return schemaError(at,
                           fmt::format("block '{}' is inside {} here but inside {} at {}; a "
                                       "block is nested the same way in all its resources",
                                       section.id, describeSections(spec.block, d),
                                       describeSections(last.block, before.depth), last.pointer));
      }
      if (section.part < before.part) {
        return schemaError(
            at + "/part",
            fmt::format("block '{}': part '{}' after part '{}' (at {}); a block's parts come in "
                        "the order block, rescue, always",
                        section.id, blockPartName(section.part), blockPartName(before.part),
                        last.pointer));
      }
      before.last = i;
      before.part = section.part;
    }
  }
  return ok();
}

Result<Manifest> parseManifest(std::string_view bytes, std::string_view source_name) {
  auto document = sc::json::parseStrictJson(bytes, source_name,
                                            {limits::kMaxJsonDepth, limits::kMaxManifestBytes});
  if (!document) return document.error();
  json& root = *document;
  auto located = [&](Error error) {
    return std::move(error).withWhere(fmt::format("{}:", source_name));
  };
  if (!root.is_object()) {
    return located(schemaError("", "a manifest must be a JSON object"));
  }
  if (auto known = onlyKnownKeys(root, "",
                                 {"format_version", "host", "serial", "issued_at", "expires_at",
                                  "key_id", "on_failure", "resources", "handlers"});
      !known) {
    return located(known.error());
  }
  Manifest manifest;
  const auto version = root.find("format_version");
  if (version == root.end() || !version->is_number_integer()) {
    return located(schemaError("/format_version", "missing or non-integer 'format_version'"));
  }
  if (version->get<long long>() != kFormatVersion) {
    return located(schemaError("/format_version",
                               fmt::format("format_version {} is not supported; this agent reads "
                                           "version {}",
                                           version->dump(), kFormatVersion)));
  }
  auto host = requiredString(root, "", "host");
  if (!host) return located(host.error());
  manifest.host = std::move(*host);
  if (auto checked = checkName(manifest.host, "/host", "host"); !checked) {
    return located(checked.error());
  }
  const auto serial = root.find("serial");
  if (serial == root.end() || !serial->is_number_unsigned()) {
    return located(schemaError("/serial", "missing 'serial' (a non-negative integer)"));
  }
  manifest.serial = serial->get<std::uint64_t>();
  for (auto [key, slot] :
       {std::pair{"issued_at", &manifest.issued_at}, std::pair{"expires_at", &manifest.expires_at},
        std::pair{"key_id", &manifest.key_id}}) {
    if (auto it = root.find(key); it != root.end()) {
      if (!it->is_string()) {
        return located(schemaError(fmt::format("/{}", key), "expected a string"));
      }
      *slot = it->get<std::string>();
    }
  }
  if (auto it = root.find("on_failure"); it != root.end()) {
    if (*it == "stop") {
      manifest.on_failure = FailurePolicy::Stop;
    } else if (*it == "continue") {
      manifest.on_failure = FailurePolicy::Continue;
    } else {
      return located(schemaError("/on_failure", "expected \"stop\" or \"continue\""));
    }
  }
  auto resources = parseResourceList(root, "resources", /*required=*/true);
  if (!resources) return located(resources.error());
  manifest.resources = std::move(*resources);
  auto handlers = parseResourceList(root, "handlers", /*required=*/false);
  if (!handlers) return located(handlers.error());
  manifest.handlers = std::move(*handlers);
  if (auto refs = checkReferences(manifest); !refs) return located(refs.error());
  if (auto blocks = checkBlocks(manifest); !blocks) return located(blocks.error());
  return manifest;
}

nlohmann::json toJson(const Manifest& manifest) {
  json out{{"format_version", manifest.format_version},
           {"host", manifest.host},
           {"serial", manifest.serial}};
  if (!manifest.issued_at.empty()) out["issued_at"] = manifest.issued_at;
  if (!manifest.expires_at.empty()) out["expires_at"] = manifest.expires_at;
  if (!manifest.key_id.empty()) out["key_id"] = manifest.key_id;
  if (manifest.on_failure == FailurePolicy::Continue) out["on_failure"] = "continue";
  out["resources"] = json::array();
  for (const auto& spec : manifest.resources) out["resources"].push_back(resourceToJson(spec));
  if (!manifest.handlers.empty()) {
    out["handlers"] = json::array();
    for (const auto& spec : manifest.handlers) out["handlers"].push_back(resourceToJson(spec));
  }
  return out;
}

}  // namespace sc::manifest
