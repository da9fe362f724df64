// Roles on disk: a directory with tasks/, handlers/, defaults/, vars/,
// meta/, templates/ and files/. Finding one follows Ansible's search
// order: a name with a slash is a path from the playbook's directory;
// otherwise `roles/` beside the playbook, then each configured roles path,
// then the playbook's directory itself. Galaxy-style names ("owner.name")
// are directory names like any other; collection roles (ns.coll.role)
// are not supported and say so.
#pragma once

#include <string>
#include <vector>

#include "common/error.h"
#include "controller/playbook/play.h"
#include "controller/playbook/task.h"
#include "controller/playbook/yaml_document.h"

namespace sc::controller::playbook {

struct Role {
  std::string name;                         // as referenced
  std::string directory;                    // where it was found
  std::vector<Task> tasks;                  // tasks/<tasks_from>.yml
  std::vector<Task> handlers;               // handlers/main.yml
  yaml::Node defaults;                      // defaults/main.yml: a mapping, or null
  yaml::Node vars;                          // vars/main.yml: a mapping, or null
  std::vector<RoleReference> dependencies;  // meta/main.yml
  bool allow_duplicates = false;
};

// The role's directory. `at` is where the reference was written, for the
// error that lists where it looked.
Result<std::string> findRole(const std::string& name, const std::string& playbook_directory,
                             const std::vector<std::string>& roles_path, const yaml::Position& at);

// Loads a found role; `tasks_from` names the task file (include_role).
Result<Role> loadRole(const std::string& name, const std::string& directory,
                      const std::string& tasks_from = "main");

// `dir/<stem>.yml`, `.yaml`, `.json` or `dir/<stem>` as Ansible looks for
// role files; empty when none exists.
std::string findRoleFile(const std::string& dir, const std::string& stem);

}  // namespace sc::controller::playbook
