#include "controller/playbook/play.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "common/text/suggest.h"
#include "controller/playbook/keywords.h"
#include "controller/playbook/module_names.h"

namespace sc::controller::playbook {
namespace {

constexpr std::size_t kMaxImportDepth = 32;

Error schemaError(const yaml::Position& at, std::string message) {
  return Error(ErrorCode::Schema, std::move(message), at.text());
}

struct Loader {
  std::vector<std::string> stack;  // canonical paths of the playbooks being loaded

  Result<std::vector<Play>> load(const std::string& path, const yaml::Position& from);
  Result<std::vector<Play>> parse(const std::vector<yaml::Node>& documents, const std::string& file,
                                  const std::string& directory);
  Result<std::vector<Play>> importPlaybook(const yaml::Node& entry, const yaml::Node& key,
                                           const std::string& directory);
};

Result<Play> parsePlay(const yaml::Node& node, const std::string& file,
                       const std::string& directory) {
  Play play;
  play.position = node.position;
  play.file = file;
  play.directory = directory;
  bool has_hosts = false;
  for (const auto& [key, value] : node.entries) {
    if (!key.isScalar()) return schemaError(key.position, "play keywords must be plain strings");
    const std::string& word = key.scalar;
    if (const auto legacy = legacyReplacement(Place::Play, word); !legacy.empty()) {
      return schemaError(key.position, fmt::format("'{}' is not supported: {}", word, legacy));
    }
    if (!isKeyword(Place::Play, word)) {
      return schemaError(key.position, fmt::format("unknown play keyword '{}'{}", word,
                                                   text::didYouMean(word, keywords(Place::Play))));
    }
    if (word == "hosts") {
      play.hosts = value;
      has_hosts = true;
    } else if (word == "name") {
      play.name = value.scalar;
      play.keywords.emplace_back(word, value);
    } else if (word == "roles") {
      SC_TRY_ASSIGN(play.roles, parseRoleReferences(value));
    } else if (word == "pre_tasks") {
      SC_TRY_ASSIGN(play.pre_tasks, parseTaskList(value, Place::Task));
    } else if (word == "tasks") {
      SC_TRY_ASSIGN(play.tasks, parseTaskList(value, Place::Task));
    } else if (word == "post_tasks") {
      SC_TRY_ASSIGN(play.post_tasks, parseTaskList(value, Place::Task));
    } else if (word == "handlers") {
      SC_TRY_ASSIGN(play.handlers, parseTaskList(value, Place::Handler));
    } else {
      play.keywords.emplace_back(word, value);
    }
  }
  if (!has_hosts || play.hosts.isNull()) {
    return schemaError(node.position, "a play needs hosts: (a host pattern such as 'all')");
  }
  if ((play.hosts.isSequence() && play.hosts.items.empty()) ||
      (play.hosts.isScalar() && play.hosts.scalar.empty())) {
    return schemaError(play.hosts.position, "hosts: cannot be empty");
  }
  return play;
}

Result<std::vector<Play>> Loader::importPlaybook(const yaml::Node& entry, const yaml::Node& key,
                                                 const std::string& directory) {
  const yaml::Node* target = entry.find(key.scalar);
  if (target == nullptr || !target->isScalar() || target->scalar.empty()) {
    return schemaError(key.position, "import_playbook needs the path of a playbook");
  }
  if (target->scalar.find("{{") != std::string::npos) {
    return schemaError(target->position,
                       "import_playbook with a templated path is not supported; write the path");
  }
  Keywords with;
  for (const auto& [word, value] : entry.entries) {
    if (&word == &key) continue;
    if (word.scalar != "vars" && word.scalar != "when" && word.scalar != "tags" &&
        word.scalar != "name") {
      return schemaError(word.position, fmt::format("import_playbook takes vars, when, tags and "
                                                    "name; not '{}'",
                                                    word.scalar));
    }
    with.emplace_back(word.scalar, value);
  }
  std::filesystem::path path = target->scalar;
  if (path.is_relative()) path = std::filesystem::path(directory) / path;
  SC_TRY_ASSIGN(std::vector<Play> plays, load(path.string(), target->position));
  for (Play& play : plays) play.imported_with.insert(play.imported_with.begin(), with);
  return plays;
}

Result<std::vector<Play>> Loader::parse(const std::vector<yaml::Node>& documents,
                                        const std::string& file, const std::string& directory) {
  std::vector<Play> plays;
  // One document per playbook, as Ansible reads it; a second "---" is
  // usually two files pasted together.
  if (documents.size() > 1) {
    return schemaError(documents[1].position,
                       "a playbook is one YAML document, but another one starts here");
  }
  if (documents.empty() || documents.front().isNull()) {
    return Error(ErrorCode::Schema, "the playbook is empty: it has no plays",
                 yaml::Position{file, 1, 1}.text());
  }
  for (const yaml::Node& document : documents) {
    if (!document.isSequence()) {
      return schemaError(document.position, "a playbook must be a list of plays");
    }
    for (const yaml::Node& entry : document.items) {
      if (!entry.isMapping()) {
        return schemaError(entry.position, "each play must be a mapping with hosts: and tasks");
      }
      const yaml::Node* import_key = nullptr;
      for (const auto& [key, value] : entry.entries) {
        const ModuleName* module = key.isScalar() ? findModule(key.scalar) : nullptr;
        if (module != nullptr && module->name == "import_playbook") import_key = &key;
      }
      if (import_key == nullptr) {
        SC_TRY_ASSIGN(Play play, parsePlay(entry, file, directory));
        plays.push_back(std::move(play));
        continue;
      }
      SC_TRY_ASSIGN(std::vector<Play> imported, importPlaybook(entry, *import_key, directory));
      for (Play& play : imported) plays.push_back(std::move(play));
    }
  }
  return plays;
}

Result<std::vector<Play>> Loader::load(const std::string& path, const yaml::Position& from) {
  const std::string where = from.line > 0 ? from.text() : path;
  std::error_code ec;
  const std::filesystem::path canonical = std::filesystem::weakly_canonical(path, ec);
  if (ec || !std::filesystem::is_regular_file(canonical, ec)) {
    return Error(ErrorCode::NotFound, fmt::format("playbook '{}' not found", path), where);
  }
  if (std::find(stack.begin(), stack.end(), canonical.string()) != stack.end()) {
    return Error(ErrorCode::Cycle, fmt::format("playbook '{}' imports itself", path), where);
  }
  if (stack.size() >= kMaxImportDepth) {
    return Error(ErrorCode::TooDeep,
                 fmt::format("import_playbook nests deeper than {} levels", kMaxImportDepth),
                 where);
  }
  SC_TRY_ASSIGN(const std::vector<yaml::Node> documents, yaml::loadYamlFile(path));
  stack.push_back(canonical.string());
  auto plays = parse(documents, path, canonical.parent_path().string());
  stack.pop_back();
  return plays;
}

}  // namespace

const yaml::Node* findKeyword(const Keywords& keywords, std::string_view name) {
  for (const auto& [key, value] : keywords) {
    if (key == name) return &value;
  }
  return nullptr;
}

Result<std::vector<RoleReference>> parseRoleReferences(const yaml::Node& node) {
  std::vector<RoleReference> roles;
  if (node.isNull()) return roles;
  if (!node.isSequence()) return schemaError(node.position, "roles: must be a list of roles");
  for (const yaml::Node& item : node.items) {
    RoleReference role;
    role.position = item.position;
    if (item.isScalar()) {
      role.name = item.scalar;
    } else if (item.isMapping()) {
      for (const auto& [key, value] : item.entries) {
        if (!key.isScalar()) return schemaError(key.position, "role keys must be plain strings");
        if (key.scalar == "role" || (key.scalar == "name" && item.find("role") == nullptr)) {
          if (!value.isScalar()) return schemaError(value.position, "a role name is a string");
          role.name = value.scalar;
        } else if (const auto legacy = legacyReplacement(Place::RoleEntry, key.scalar);
                   !legacy.empty()) {
          return schemaError(key.position,
                             fmt::format("'{}' is not supported: {}", key.scalar, legacy));
        } else if (isKeyword(Place::RoleEntry, key.scalar)) {
          role.keywords.emplace_back(key.scalar, value);
        } else {
          role.parameters.emplace_back(key.scalar, value);
        }
      }
    }
    if (role.name.empty()) {
      return schemaError(item.position, "a roles: entry needs a role name (role: NAME)");
    }
    roles.push_back(std::move(role));
  }
  return roles;
}

Result<std::vector<Play>> loadPlaybook(const std::string& path) {
  Loader loader;
  return loader.load(path, yaml::Position{path, 0, 0});
}

Result<std::vector<Play>> parsePlaybook(const std::vector<yaml::Node>& documents,
                                        const std::string& file, const std::string& directory) {
  Loader loader;
  return loader.parse(documents, file, directory);
}

}  // namespace sc::controller::playbook
