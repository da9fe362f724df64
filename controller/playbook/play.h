// Playbooks as written: a list of plays, each with its hosts pattern,
// keywords, roles and task lists, parsed once. `import_playbook` entries are
// followed when the playbook is loaded (they are static in Ansible too), so
// the result is the flat list of plays in the order they run; what an
// import says (`vars:`, `when:`, `tags:`) travels with each imported play.
//
// Refused, naming file:line:col: a playbook that is not a list of plays; an
// unknown play keyword (with a suggestion); play-level `include:`; a play
// without hosts; roles entries without a name; an import that does not
// exist, imports itself (directly or not) or nests past 32 levels.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"
#include "controller/playbook/task.h"
#include "controller/playbook/yaml_document.h"

namespace sc::controller::playbook {

using Keywords = std::vector<std::pair<std::string, yaml::Node>>;

const yaml::Node* findKeyword(const Keywords& keywords, std::string_view name);

// One entry of `roles:` or of a role's meta dependencies.
struct RoleReference {
  yaml::Position position;
  std::string name;     // as written: "nginx", "geerlingguy.php", a path
  Keywords keywords;    // when, tags, become, vars, ...
  Keywords parameters;  // everything else: the role's parameters
};

// `roles:` entries: "name", {role: name, ...} or {name: name, ...}.
Result<std::vector<RoleReference>> parseRoleReferences(const yaml::Node& node);

struct Play {
  yaml::Position position;
  std::string file;       // the playbook file the play is written in
  std::string directory;  // its directory: relative paths start here
  yaml::Node hosts;
  std::string name;
  Keywords keywords;  // every play keyword but hosts, roles and the task lists
  std::vector<RoleReference> roles;
  std::vector<Task> pre_tasks, tasks, post_tasks, handlers;
  // What import_playbook entries leading here added, outermost first.
  std::vector<Keywords> imported_with;

  const yaml::Node* keyword(std::string_view word) const { return findKeyword(keywords, word); }
};

// Loads `path` and every playbook it imports.
Result<std::vector<Play>> loadPlaybook(const std::string& path);

// The plays in already-loaded documents (for tests and for `scctl render`);
// imports are resolved relative to `directory`.
Result<std::vector<Play>> parsePlaybook(const std::vector<yaml::Node>& documents,
                                        const std::string& file, const std::string& directory);

}  // namespace sc::controller::playbook
