#include "controller/playbook/role.h"

#include <fmt/format.h>

#include <filesystem>

namespace sc::controller::playbook {
namespace {

namespace fs = std::filesystem;

Error schemaError(const yaml::Position& at, std::string message) {
  return Error(ErrorCode::Schema, std::move(message), at.text());
}

// The single document of a role file, or null when the file is absent or
// empty.
Result<yaml::Node> loadRoleDocument(const std::string& dir, const std::string& stem) {
  const std::string path = findRoleFile(dir, stem);
  if (path.empty()) return yaml::Node{};
  SC_TRY_ASSIGN(std::vector<yaml::Node> documents, yaml::loadYamlFile(path));
  if (documents.empty()) return yaml::Node{};
  if (documents.size() > 1) {
    return schemaError(documents[1].position, "a role file holds one YAML document");
  }
  return documents.front();
}

Result<yaml::Node> loadVarsDocument(const std::string& dir) {
  SC_TRY_ASSIGN(yaml::Node node, loadRoleDocument(dir, "main"));
  if (!node.isNull() && !node.isMapping()) {
    return schemaError(node.position, "role variables must be a mapping of names to values");
  }
  return node;
}

}  // namespace

std::string findRoleFile(const std::string& dir, const std::string& stem) {
  for (const char* extension : {".yml", ".yaml", ".json", ""}) {
    const fs::path candidate = fs::path(dir) / (stem + extension);
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec)) return candidate.string();
  }
  return {};
}

Result<std::string> findRole(const std::string& name, const std::string& playbook_directory,
                             const std::vector<std::string>& roles_path, const yaml::Position& at) {
  std::vector<fs::path> candidates;
  if (name.find('/') != std::string::npos) {
    const fs::path path = name;
    candidates.push_back(path.is_absolute() ? path : fs::path(playbook_directory) / path);
  } else {
    if (std::count(name.begin(), name.end(), '.') >= 2) {
      return Error(ErrorCode::NotFound,
                   fmt::format("role '{}': roles from collections are not supported; install "
                               "the role as a directory in a roles path",
                               name),
                   at.text());
    }
    candidates.push_back(fs::path(playbook_directory) / "roles" / name);
    for (const std::string& dir : roles_path) candidates.push_back(fs::path(dir) / name);
    candidates.push_back(fs::path(playbook_directory) / name);
  }
  std::string looked;
  for (const fs::path& candidate : candidates) {
    std::error_code ec;
    if (fs::is_directory(candidate, ec)) return fs::weakly_canonical(candidate, ec).string();
    looked += (looked.empty() ? "" : ", ") + candidate.string();
  }
  return Error(ErrorCode::NotFound, fmt::format("role '{}' not found (looked in {})", name, looked),
               at.text());
}

Result<Role> loadRole(const std::string& name, const std::string& directory,
                      const std::string& tasks_from) {
  Role role;
  role.name = name;
  role.directory = directory;
  const fs::path root = directory;

  const std::string tasks_file = findRoleFile((root / "tasks").string(), tasks_from);
  if (tasks_file.empty() && tasks_from != "main") {
    return Error(ErrorCode::NotFound, fmt::format("role '{}' has no task file '{}' in {}", name,
                                                  tasks_from, (root / "tasks").string()));
  }
  SC_TRY_ASSIGN(const yaml::Node tasks, loadRoleDocument((root / "tasks").string(), tasks_from));
  SC_TRY_ASSIGN(role.tasks, parseTaskList(tasks, Place::Task));
  SC_TRY_ASSIGN(const yaml::Node handlers, loadRoleDocument((root / "handlers").string(), "main"));
  SC_TRY_ASSIGN(role.handlers, parseTaskList(handlers, Place::Handler));
  SC_TRY_ASSIGN(role.defaults, loadVarsDocument((root / "defaults").string()));
  SC_TRY_ASSIGN(role.vars, loadVarsDocument((root / "vars").string()));

  SC_TRY_ASSIGN(const yaml::Node meta, loadRoleDocument((root / "meta").string(), "main"));
  if (meta.isMapping()) {
    if (const yaml::Node* dependencies = meta.find("dependencies")) {
      SC_TRY_ASSIGN(role.dependencies, parseRoleReferences(*dependencies));
    }
    if (const yaml::Node* duplicates = meta.find("allow_duplicates")) {
      role.allow_duplicates = duplicates->scalar == "true" || duplicates->scalar == "yes" ||
                              duplicates->scalar == "True";
    }
  } else if (!meta.isNull()) {
    return schemaError(meta.position, "meta/main.yml must be a mapping");
  }
  return role;
}

}  // namespace sc::controller::playbook
