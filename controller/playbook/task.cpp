#include "controller/playbook/task.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/text/suggest.h"
#include "controller/playbook/kv_args.h"
#include "controller/playbook/module_names.h"

namespace sc::controller::playbook {
namespace {

Error schemaError(const yaml::Position& at, std::string message) {
  return Error(ErrorCode::Schema, std::move(message), at.text());
}

std::string_view placeName(Place place) {
  switch (place) {
    case Place::Play:
      return "play";
    case Place::Block:
      return "block";
    case Place::Task:
      return "task";
    case Place::Handler:
      return "handler";
    case Place::RoleEntry:
      return "role";
  }
  return "task";
}

yaml::Node stringScalar(std::string text, const yaml::Position& at) {
  yaml::Node node;
  node.kind = yaml::Node::Kind::Scalar;
  node.scalar = std::move(text);
  node.quoted = true;  // k=v values are strings, never typed as YAML
  node.position = at;
  return node;
}

// Sets `key` in a mapping node, keeping the first position of a repeated
// key as a Python dict update does.
void setEntry(yaml::Node& mapping, yaml::Node key, yaml::Node value) {
  for (auto& [existing_key, existing_value] : mapping.entries) {
    if (existing_key.scalar == key.scalar) {
      existing_value = std::move(value);
      return;
    }
  }
  mapping.entries.emplace_back(std::move(key), std::move(value));
}

yaml::Node emptyMapping(const yaml::Position& at) {
  yaml::Node node;
  node.kind = yaml::Node::Kind::Mapping;
  node.position = at;
  return node;
}

// The arguments of `module` written as `value`: a mapping, a k=v string,
// or nothing.
Result<yaml::Node> moduleArguments(const ModuleName& module, const yaml::Node& value) {
  if (value.isNull()) return emptyMapping(value.position);
  if (value.isMapping()) {
    for (const auto& [key, item] : value.entries) {
      if (!key.isScalar()) {
        return schemaError(key.position, "module argument names must be plain strings");
      }
    }
    return value;
  }
  if (value.isSequence()) {
    return schemaError(value.position,
                       fmt::format("the arguments of '{}' must be a mapping or a key=value "
                                   "string, not a list",
                                   module.name));
  }
  auto pairs = parseKeyValueArgs(value.scalar, module.free_form);
  if (!pairs) return schemaError(value.position, pairs.error().message());
  yaml::Node args = emptyMapping(value.position);
  for (auto& [key, text] : *pairs) {
    if (key == "_raw_params" && !module.takes_raw_params) {
      return schemaError(value.position,
                         fmt::format("'{}' takes key=value arguments; '{}' is not one (free-form "
                                     "words are only for command, shell and the like)",
                                     module.name, text));
    }
    setEntry(args, stringScalar(key, value.position),
             stringScalar(std::move(text), value.position));
  }
  return args;
}

Error unknownModule(const yaml::Node& key, Place place) {
  std::vector<std::string_view> candidates = moduleShortNames();
  const auto& words = keywords(place);
  candidates.insert(candidates.end(), words.begin(), words.end());
  return schemaError(
      key.position, fmt::format("unknown module or {} keyword '{}'{}", placeName(place), key.scalar,
                                text::didYouMean(key.scalar, candidates)));
}

// `action: copy src=a dest=b` or `action: {module: copy, src: a}`.
Result<std::pair<std::string, yaml::Node>> splitActionKeyword(const yaml::Node& value) {
  if (value.isMapping()) {
    const yaml::Node* module = value.find("module");
    if (module == nullptr || !module->isScalar()) {
      return schemaError(value.position, "an action: mapping needs a 'module' entry");
    }
    yaml::Node args = emptyMapping(value.position);
    for (const auto& [key, item] : value.entries) {
      if (key.scalar != "module") args.entries.emplace_back(key, item);
    }
    return std::make_pair(module->scalar, args);
  }
  if (!value.isScalar() || value.scalar.empty()) {
    return schemaError(value.position, "action: needs a module name and its arguments");
  }
  const std::size_t space = value.scalar.find_first_of(" \t\n");
  yaml::Node rest = value;
  rest.scalar = space == std::string::npos ? std::string() : value.scalar.substr(space + 1);
  if (rest.scalar.empty()) rest.kind = yaml::Node::Kind::Null;
  return std::make_pair(value.scalar.substr(0, space), rest);
}

Result<Task> parseBlock(const yaml::Node& node, Place place) {
  Task task;
  task.position = node.position;
  task.is_block = true;
  for (const auto& [key, value] : node.entries) {
    if (const auto legacy = legacyReplacement(Place::Block, key.scalar); !legacy.empty()) {
      return schemaError(key.position,
                         fmt::format("'{}' is not supported: {}", key.scalar, legacy));
    }
    if (key.scalar == "block" || key.scalar == "rescue" || key.scalar == "always") {
      SC_TRY_ASSIGN(auto tasks, parseTaskList(value, place));
      (key.scalar == "block"    ? task.block
       : key.scalar == "rescue" ? task.rescue
                                : task.always) = std::move(tasks);
      continue;
    }
    if (!isKeyword(Place::Block, key.scalar)) {
      return schemaError(key.position,
                         fmt::format("unknown block keyword '{}'{}", key.scalar,
                                     text::didYouMean(key.scalar, keywords(Place::Block))));
    }
    task.keywords.emplace_back(key.scalar, value);
  }
  return task;
}

}  // namespace

const yaml::Node* Task::keyword(std::string_view name) const {
  for (const auto& [key, value] : keywords) {
    if (key == name) return &value;
  }
  return nullptr;
}

Result<Task> parseTask(const yaml::Node& node, Place place) {
  if (!node.isMapping()) {
    return schemaError(node.position, fmt::format("a {} must be a mapping of keywords and one "
                                                  "module",
                                                  placeName(place)));
  }
  for (const auto& [key, value] : node.entries) {
    if (!key.isScalar()) return schemaError(key.position, "task keywords must be plain strings");
  }
  if (node.find("block") != nullptr) return parseBlock(node, place);

  Task task;
  task.position = node.position;
  std::vector<const yaml::MappingEntry*> candidates;
  const yaml::Node* args_keyword = nullptr;
  const yaml::MappingEntry* action_keyword = nullptr;
  for (const auto& entry : node.entries) {
    const auto& [key, value] = entry;
    if (const auto legacy = legacyReplacement(place, key.scalar); !legacy.empty()) {
      return schemaError(key.position,
                         fmt::format("'{}' is not supported: {}", key.scalar, legacy));
    }
    if (key.scalar == "args") {
      if (!value.isMapping()) return schemaError(value.position, "args: must be a mapping");
      args_keyword = &value;
    } else if (key.scalar == "action" || key.scalar == "local_action") {
      if (action_keyword != nullptr) {
        return schemaError(key.position, "a task takes one action: or local_action:, not both");
      }
      action_keyword = &entry;
    } else if (key.scalar == "loop" || !withLoopLookup(key.scalar).empty()) {
      if (!task.loop_kind.empty()) {
        return schemaError(key.position, "a task takes one loop (loop: or one with_*)");
      }
      task.loop_kind = key.scalar == "loop" ? "loop" : std::string(withLoopLookup(key.scalar));
      task.keywords.emplace_back(key.scalar, value);
    } else if (isKeyword(place, key.scalar)) {
      task.keywords.emplace_back(key.scalar, value);
    } else {
      candidates.push_back(&entry);
    }
  }

  // Which key is the module: exactly one known module among the keys that
  // are not keywords; any other such key is a misspelt keyword.
  const yaml::MappingEntry* module_entry = nullptr;
  for (const auto* candidate : candidates) {
    if (findModule(candidate->first.scalar) == nullptr) continue;
    if (module_entry != nullptr || action_keyword != nullptr) {
      return schemaError(candidate->first.position,
                         fmt::format("conflicting action statements: '{}' and '{}'",
                                     module_entry != nullptr ? module_entry->first.scalar
                                                             : action_keyword->first.scalar,
                                     candidate->first.scalar));
    }
    module_entry = candidate;
  }
  for (const auto* candidate : candidates) {
    if (candidate == module_entry) continue;
    if (module_entry == nullptr && action_keyword == nullptr && candidates.size() == 1) {
      return unknownModule(candidate->first, place);
    }
    return schemaError(
        candidate->first.position,
        fmt::format("unknown {} keyword '{}'{}", placeName(place), candidate->first.scalar,
                    text::didYouMean(candidate->first.scalar, keywords(place))));
  }

  std::string written;
  yaml::Node value;
  if (module_entry != nullptr) {
    written = module_entry->first.scalar;
    task.action_position = module_entry->first.position;
    value = module_entry->second;
  } else if (action_keyword != nullptr) {
    SC_TRY_ASSIGN(auto split, splitActionKeyword(action_keyword->second));
    written = std::move(split.first);
    task.action_position = action_keyword->second.position;
    value = std::move(split.second);
    if (action_keyword->first.scalar == "local_action") {
      task.keywords.emplace_back("delegate_to",
                                 stringScalar("localhost", action_keyword->first.position));
    }
  } else {
    return schemaError(node.position,
                       fmt::format("no module in this {}: name one module (copy, file, "
                                   "template, ...) besides the keywords",
                                   placeName(place)));
  }
  const ModuleName* module = findModule(written);
  if (module == nullptr) {
    yaml::Node key = stringScalar(written, task.action_position);
    return unknownModule(key, place);
  }
  task.action = std::string(module->name);
  task.action_as_written = written;
  SC_TRY_ASSIGN(yaml::Node own_args, moduleArguments(*module, value));
  // `args:` first, then the module's own arguments win, as in Ansible.
  task.args = args_keyword != nullptr ? *args_keyword : emptyMapping(task.action_position);
  for (auto& [key, item] : own_args.entries) setEntry(task.args, key, item);
  return task;
}

Result<std::vector<Task>> parseTaskList(const yaml::Node& node, Place place) {
  std::vector<Task> tasks;
  if (node.isNull()) return tasks;
  if (!node.isSequence()) {
    return schemaError(node.position, fmt::format("expected a list of {}s", placeName(place)));
  }
  tasks.reserve(node.items.size());
  for (const yaml::Node& item : node.items) {
    SC_TRY_ASSIGN(Task task, parseTask(item, place));
    tasks.push_back(std::move(task));
  }
  return tasks;
}

}  // namespace sc::controller::playbook
