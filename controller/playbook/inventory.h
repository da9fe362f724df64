// Inventories as Ansible 2.14 reads them: hosts, groups, their variables
// and the group tree, from `-i` sources (an INI file, a YAML file, a
// directory of inventory files, or a comma-separated host list such as
// "web1,web2,"). Several sources merge into one Inventory, in order.
//
// The model follows Ansible's inventory/data.py:
//   - `all` and `ungrouped` always exist; `ungrouped` is a child of `all`.
//     After loading, every group without a parent becomes a child of
//     `all`, and a host in no group but `all` joins `ungrouped` (a host in
//     another group leaves `ungrouped`).
//   - a host keeps the order it was first seen in; a group lists its own
//     hosts and child groups in the order they were added. Adding a child
//     that is an ancestor is a Cycle error naming the file and line.
//   - `localhost` (also 127.0.0.1 and ::1) is implicit: a pattern naming
//     it finds it even when no source lists it, with
//     ansible_connection=local; it is then in no group, not even `all`.
//     (Ansible also sets ansible_python_interpreter to its own Python;
//     that means nothing to sc-agent and is left out.)
//   - a `host:port` entry sets ansible_port when the host is first added.
//   - `ansible_group_priority` is not a variable: it orders groups of
//     equal depth when their variables merge (see inventoryVars()).
//
// Loading a directory reads its entries in sorted order, skipping hidden
// names, group_vars, host_vars and the extensions Ansible ignores there
// (.ini .cfg .orig .retry .pyc .pyo .swp .bak ~ .rpm .md .txt .rst).
// A file with a .yml, .yaml or .json extension is a YAML inventory; a file
// without an extension is tried as YAML, then INI (Ansible's plugin
// order); any other file is INI. Where Ansible only warns that a source
// could not be parsed, loading fails with the parser's error (file:line
// for INI, file:line:col for YAML). Executable inventory scripts and
// inventory plugin configurations (`plugin:` files) are refused.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "controller/playbook/data.h"

namespace sc::controller {

struct InventoryHost {
  std::string name;
  Data vars = Data::object();       // set in inventory files, in order
  std::vector<std::string> groups;  // direct groups, in the order joined
  bool implicit = false;            // the implicit localhost
};

struct InventoryGroup {
  std::string name;
  Data vars = Data::object();         // set in inventory files, in order
  std::vector<std::string> hosts;     // own hosts, in order added
  std::vector<std::string> children;  // child groups, in order added
  std::vector<std::string> parents;
  int depth = 0;     // longest path from `all`
  int priority = 1;  // ansible_group_priority
};

class Inventory {
 public:
  Inventory();

  // --- building (the loaders' interface) -------------------------------
  // `where` names the definition in errors ("hosts.ini:12").
  void addGroup(const std::string& name);
  Result<void> addHost(const std::string& name, const std::string& group, std::optional<int> port,
                       const std::string& where);
  Result<void> addChild(const std::string& parent, const std::string& child,
                        const std::string& where);
  Result<void> setGroupVar(const std::string& group, const std::string& key, Data value,
                           const std::string& where);
  void setHostVar(const std::string& host, const std::string& key, Data value);
  // Settles `all` and `ungrouped` once every source is read.
  void reconcile();
  void addSourceDir(std::string dir) { source_dirs_.push_back(std::move(dir)); }
  void warn(std::string message) { warnings_.push_back(std::move(message)); }

  // --- queries ----------------------------------------------------------
  // Hosts in the order first seen (the implicit localhost is not here).
  const std::vector<std::string>& hostNames() const { return host_order_; }
  // Groups in the order created, `all` and `ungrouped` first.
  const std::vector<std::string>& groupNames() const { return group_order_; }
  const InventoryHost* findHost(std::string_view name) const;
  const InventoryGroup* findGroup(std::string_view name) const;
  // The host Ansible finds for a localhost-like name: the first such host
  // of the inventory, else the implicit one. Null for other names.
  const InventoryHost* localhostFor(std::string_view name) const;
  // A group's hosts with those of its descendants, breadth first, without
  // duplicates. Ansible visits the groups below the first level in an
  // order that depends on Python's string hashing; here it is always the
  // order the children were added.
  std::vector<std::string> hostsOf(const std::string& group) const;
  // Every group a host belongs to, directly or through a child group.
  std::vector<std::string> ancestorGroupsOf(const std::string& host) const;
  // The magic variable `groups`: every group (`all` and `ungrouped`
  // included) to hostsOf() it.
  Data groupsVar() const;
  // The magic variable `group_names`: ancestorGroupsOf() without `all`,
  // sorted (`ungrouped` stays in, as in Ansible).
  std::vector<std::string> groupNamesOf(const std::string& host) const;
  // Directories whose group_vars/ and host_vars/ belong to the inventory:
  // each source's directory (or the source itself when it is one).
  const std::vector<std::string>& sourceDirs() const { return source_dirs_; }
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  bool isAncestor(const std::string& candidate, const std::string& group) const;
  void deepen(const std::string& group);

  std::map<std::string, InventoryHost, std::less<>> hosts_;
  std::map<std::string, InventoryGroup, std::less<>> groups_;
  std::vector<std::string> host_order_;
  std::vector<std::string> group_order_;
  std::optional<std::string> first_localhost_;
  InventoryHost implicit_localhost_;
  std::vector<std::string> source_dirs_;
  std::vector<std::string> warnings_;
};

// Reads and merges `sources` (the -i arguments, in order).
Result<Inventory> loadInventory(const std::vector<std::string>& sources);

// The loaders, for loadInventory() and tests.
Result<void> loadIniInventory(Inventory& inventory, std::string_view text, const std::string& file);
Result<void> loadYamlInventory(Inventory& inventory, std::string_view text,
                               const std::string& file);

// Whether a name is one Ansible treats as the local machine.
bool isLocalhostName(std::string_view name);

}  // namespace sc::controller
