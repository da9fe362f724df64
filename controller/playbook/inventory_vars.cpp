#include "controller/playbook/inventory_vars.h"

#include <algorithm>
#include <tuple>

#include "controller/playbook/vars_dirs.h"

namespace sc::controller {
namespace {

void update(Data& into, const Data& from) {
  for (const auto& [key, value] : from.items()) into[key] = value;
}

Result<void> applyDirs(Data& into, const std::vector<std::string>& dirs, std::string_view subdir,
                       const std::vector<std::string>& names) {
  for (const auto& dir : dirs) {
    for (const auto& name : names) {
      SC_TRY_ASSIGN(const Data vars, loadVarsDir(dir, subdir, name));
      update(into, vars);
    }
  }
  return ok();
}

}  // namespace

std::vector<std::string> groupsInVarOrder(const Inventory& inventory, const std::string& host) {
  auto groups = inventory.ancestorGroupsOf(host);
  std::erase(groups, "all");
  const auto key = [&](const std::string& name) {
    const InventoryGroup* group = inventory.findGroup(name);
    return std::tuple(group->depth, group->priority, std::string_view(name));
  };
  std::sort(groups.begin(), groups.end(),
            [&](const std::string& a, const std::string& b) { return key(a) < key(b); });
  return groups;
}

Result<Data> inventoryVars(const Inventory& inventory, const std::string& host,
                           const std::vector<std::string>& playbook_dirs) {
  const InventoryHost* entry = inventory.findHost(host);
  if (entry == nullptr) {
    entry = inventory.localhostFor(host);
    if (entry == nullptr) {
      return Error(ErrorCode::NotFound, fmt::format("no host '{}' in the inventory", host));
    }
  }
  const auto groups = groupsInVarOrder(inventory, entry->name);
  Data vars = Data::object();
  update(vars, inventory.findGroup("all")->vars);
  for (const auto& group : groups) update(vars, inventory.findGroup(group)->vars);
  const std::vector<std::string> all = {"all"};
  SC_TRY(applyDirs(vars, inventory.sourceDirs(), "group_vars", all));
  SC_TRY(applyDirs(vars, playbook_dirs, "group_vars", all));
  SC_TRY(applyDirs(vars, inventory.sourceDirs(), "group_vars", groups));
  SC_TRY(applyDirs(vars, playbook_dirs, "group_vars", groups));
  update(vars, entry->vars);
  // The implicit localhost is looked up under the name it was asked by.
  const std::vector<std::string> names = {entry->implicit ? host : entry->name};
  SC_TRY(applyDirs(vars, inventory.sourceDirs(), "host_vars", names));
  SC_TRY(applyDirs(vars, playbook_dirs, "host_vars", names));
  return vars;
}

}  // namespace sc::controller
