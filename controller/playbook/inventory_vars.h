// One host's inventory variables, merged in Ansible 2.14's precedence
// (lowest first; each later layer replaces whole top-level keys, as with
// Ansible's default hash_behaviour=replace). docs/variables.md carries the
// same list as the start of the full precedence document.
//
//   1. inventory file vars of `all`           ([all:vars], all: vars:)
//   2. inventory file vars of the host's other groups, by depth, then
//      ansible_group_priority, then name (parents before children, so a
//      child group wins over its parent)
//   3. group_vars/all beside each inventory source, in -i order
//   4. group_vars/all beside the playbook
//   5. group_vars/GROUP beside each inventory source (groups ordered as
//      in 2)
//   6. group_vars/GROUP beside the playbook
//   7. inventory file vars of the host (host lines, hosts: entries,
//      ansible_port from host:port)
//   8. host_vars/HOST beside each inventory source
//   9. host_vars/HOST beside the playbook
//
// Ansible reaches this order by merging group_vars/ into each group's vars
// while loading and then applying the vars plugins again; the result is
// the list above. The implicit localhost has no groups besides (1, 3, 4)
// and gets ansible_connection=local at step 7. Magic variables
// (inventory_hostname, groups, group_names, ...) are not included.
#pragma once

#include <string>
#include <vector>

#include "common/error.h"
#include "controller/playbook/data.h"
#include "controller/playbook/inventory.h"

namespace sc::controller {

// The variables of `host` (a name from hostNames() or a localhost-like name
// a host pattern selected). `playbook_dirs` are the directories whose
// group_vars/ and host_vars/ the playbook adds (usually one: the
// playbook's own directory). An unknown host is a NotFound error.
Result<Data> inventoryVars(const Inventory& inventory, const std::string& host,
                           const std::vector<std::string>& playbook_dirs);

// The host's groups in the order their variables apply (step 2 above):
// without `all`, sorted by depth, priority and name.
std::vector<std::string> groupsInVarOrder(const Inventory& inventory, const std::string& host);

}  // namespace sc::controller
