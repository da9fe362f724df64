// Ansible's module vocabulary: which task keys name a module, in both
// spellings (`copy` == `ansible.builtin.copy` == `ansible.legacy.copy`,
// `ufw` == `community.general.ufw`), and how each takes a `key=value`
// string. Whether smartcookies can compile a module is the compiler's
// business (controller/compiler/modules); this table only lets the parser
// tell a module from a misspelt keyword.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sc::controller::playbook {

struct ModuleName {
  std::string_view name;        // the short name: "copy"
  std::string_view collection;  // "ansible.builtin", "community.general", ...
  // The argument string is a command line: only creates=, chdir= and the
  // like are taken out of it (Ansible's free-form actions).
  bool free_form = false;
  // Words that are not key=value are kept as `_raw_params` instead of being
  // an error (`include_vars: debian.yml`, `meta: flush_handlers`).
  bool takes_raw_params = false;
};

// The module a task key names, or null: "ansible.builtin.copy" and "copy"
// give the same entry; "ansible.legacy.X" is X.
const ModuleName* findModule(std::string_view written);

// Every short name, for suggestions.
const std::vector<std::string_view>& moduleShortNames();

}  // namespace sc::controller::playbook
