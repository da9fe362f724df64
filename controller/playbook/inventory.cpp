#include "controller/playbook/inventory.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <set>

#include "controller/playbook/host_address.h"

namespace sc::controller {
namespace {

namespace fs = std::filesystem;

// Entries of an inventory directory that Ansible skips (IGNORED_ALWAYS and
// the default INVENTORY_IGNORE_EXTS of 2.14).
bool ignoredInDirectory(const std::string& name) {
  if (name.empty() || name[0] == '.' || name == "host_vars" || name == "group_vars" ||
      name == "vars_plugins") {
    return true;
  }
  static constexpr std::string_view kIgnored[] = {".pyc", ".pyo", ".swp",  ".bak", "~",
                                                  ".rpm", ".md",  ".txt",  ".rst", ".orig",
                                                  ".ini", ".cfg", ".retry"};
  return std::any_of(std::begin(kIgnored), std::end(kIgnored),
                     [&](std::string_view ext) { return name.ends_with(ext); });
}

Result<std::string> readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return errnoError(errno, "cannot read the inventory file", path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return text;
}

bool startsWithShebang(const std::string& text) { return text.starts_with("#!"); }

Result<void> loadFile(Inventory& inventory, const std::string& path) {
  SC_TRY_ASSIGN(const std::string text, readText(path));
  const std::string ext = fs::path(path).extension().string();
  if (startsWithShebang(text) && ::access(path.c_str(), X_OK) == 0) {
    return Error(ErrorCode::Schema, "executable inventory scripts are not supported", path);
  }
  if (ext == ".yml" || ext == ".yaml" || ext == ".json") {
    return loadYamlInventory(inventory, text, path);
  }
  if (!ext.empty()) return loadIniInventory(inventory, text, path);
  // Ansible tries its YAML plugin, then INI; both must not leave half an
  // inventory behind, so each works on a copy.
  Inventory as_yaml = inventory;
  auto yaml = loadYamlInventory(as_yaml, text, path);
  if (yaml) {
    inventory = std::move(as_yaml);
    return ok();
  }
  Inventory as_ini = inventory;
  auto ini = loadIniInventory(as_ini, text, path);
  if (ini) {
    inventory = std::move(as_ini);
    return ok();
  }
  // Report the error of the format the file looks like: the YAML loader
  // says Parse when the text is no YAML mapping at all.
  return yaml.error().code() == ErrorCode::Parse ? ini : yaml;
}

Result<void> loadPath(Inventory& inventory, const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(path, ec)) {
      names.push_back(entry.path().filename().string());
    }
    if (ec) return errnoError(ec.value(), "cannot list the inventory directory", path);
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
      if (ignoredInDirectory(name)) continue;
      SC_TRY(loadPath(inventory, (fs::path(path) / name).string()));
    }
    return ok();
  }
  return loadFile(inventory, path);
}

// "web1,web2:2222," as Ansible's host_list plugin reads it: no ranges, a
// port split off when the rest is an address.
Result<void> loadHostList(Inventory& inventory, const std::string& list) {
  std::size_t start = 0;
  while (start <= list.size()) {
    auto comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    std::string item = list.substr(start, comma - start);
    start = comma + 1;
    const auto first = item.find_first_not_of(" \t");
    if (first == std::string::npos) continue;
    item = item.substr(first, item.find_last_not_of(" \t") - first + 1);
    std::optional<int> port;
    std::string name = item;
    if (item.find('[') == std::string::npos) {
      auto entry = expandHostEntry(item, list);
      if (entry && entry->names.size() == 1) {
        name = entry->names.front();
        port = entry->port;
      }
    }
    if (inventory.findHost(name) == nullptr) {
      SC_TRY(inventory.addHost(name, "ungrouped", port, list));
    }
  }
  return ok();
}

}  // namespace

bool isLocalhostName(std::string_view name) {
  return name == "localhost" || name == "127.0.0.1" || name == "::1";
}

Inventory::Inventory() {
  addGroup("all");
  addGroup("ungrouped");
  auto added = addChild("all", "ungrouped", {});
  SC_CHECK(added.has_value(), "a fresh inventory has no cycle");
  implicit_localhost_.name = "localhost";
  implicit_localhost_.implicit = true;
  implicit_localhost_.vars["ansible_connection"] = "local";
}

void Inventory::addGroup(const std::string& name) {
  if (groups_.contains(name)) return;
  InventoryGroup group;
  group.name = name;
  groups_.emplace(name, std::move(group));
  group_order_.push_back(name);
}

Result<void> Inventory::addHost(const std::string& name, const std::string& group,
                                std::optional<int> port, const std::string& where) {
  if (name.empty()) return Error(ErrorCode::Schema, "empty host name", where);
  auto it = hosts_.find(name);
  if (it == hosts_.end()) {
    InventoryHost host;
    host.name = name;
    // Ansible sets the port only when the host is created, and ignores 0.
    if (port && *port != 0) host.vars["ansible_port"] = *port;
    it = hosts_.emplace(name, std::move(host)).first;
    host_order_.push_back(name);
    if (isLocalhostName(name)) {
      if (!first_localhost_) {
        first_localhost_ = name;
      } else {
        warn(
            fmt::format("A duplicate localhost-like entry was found ({}). First found localhost "
                        "was {}",
                        name, *first_localhost_));
      }
    }
  }
  if (group.empty()) return ok();
  auto g = groups_.find(group);
  if (g == groups_.end()) {
    return Error(ErrorCode::Internal, fmt::format("no group '{}'", group), where);
  }
  if (std::find(g->second.hosts.begin(), g->second.hosts.end(), name) == g->second.hosts.end()) {
    g->second.hosts.push_back(name);
    it->second.groups.push_back(group);
  }
  return ok();
}

bool Inventory::isAncestor(const std::string& candidate, const std::string& group) const {
  const auto it = groups_.find(group);
  if (it == groups_.end()) return false;
  for (const auto& parent : it->second.parents) {
    if (parent == candidate || isAncestor(candidate, parent)) return true;
  }
  return false;
}

void Inventory::deepen(const std::string& group) {
  auto& g = groups_.at(group);
  for (const auto& child : g.children) {
    auto& c = groups_.at(child);
    if (c.depth < g.depth + 1) {
      c.depth = g.depth + 1;
      deepen(child);
    }
  }
}

Result<void> Inventory::addChild(const std::string& parent, const std::string& child,
                                 const std::string& where) {
  if (!groups_.contains(parent) || !groups_.contains(child)) {
    return Error(ErrorCode::Internal, "addChild needs two known groups", where);
  }
  if (parent == child) {
    return Error(ErrorCode::Cycle, fmt::format("group '{}' cannot be its own child", child), where);
  }
  auto& p = groups_.at(parent);
  if (std::find(p.children.begin(), p.children.end(), child) != p.children.end()) return ok();
  if (isAncestor(child, parent)) {
    return Error(ErrorCode::Cycle,
                 fmt::format("Adding group '{}' as child to '{}' creates a recursive dependency "
                             "loop.",
                             child, parent),
                 where);
  }
  p.children.push_back(child);
  auto& c = groups_.at(child);
  c.parents.push_back(parent);
  c.depth = std::max(c.depth, p.depth + 1);
  deepen(child);
  return ok();
}

Result<void> Inventory::setGroupVar(const std::string& group, const std::string& key, Data value,
                                    const std::string& where) {
  auto& g = groups_.at(group);
  if (key == "ansible_group_priority") {
    // Ansible applies int() to the value.
    if (value.is_number_integer()) {
      g.priority = value.get<int>();
    } else if (value.is_string()) {
      const auto& text = value.get_ref<const std::string&>();
      int priority = 0;
      const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), priority);
      if (ec != std::errc() || ptr != text.data() + text.size()) {
        return Error(ErrorCode::Schema, "ansible_group_priority must be an integer", where);
      }
      g.priority = priority;
    } else {
      return Error(ErrorCode::Schema, "ansible_group_priority must be an integer", where);
    }
    return ok();
  }
  g.vars[key] = std::move(value);
  return ok();
}

void Inventory::setHostVar(const std::string& host, const std::string& key, Data value) {
  hosts_.at(host).vars[key] = std::move(value);
}

void Inventory::reconcile() {
  for (const auto& name : std::vector<std::string>(group_order_)) {
    if (name != "all" && groups_.at(name).parents.empty()) {
      auto added = addChild("all", name, {});
      SC_CHECK(added.has_value(), "a group without parents cannot be an ancestor of all");
    }
  }
  auto& ungrouped = groups_.at("ungrouped");
  for (const auto& name : host_order_) {
    auto& host = hosts_.at(name);
    const auto groups = ancestorGroupsOf(name);
    const bool in_ungrouped = std::find(groups.begin(), groups.end(), "ungrouped") != groups.end();
    const bool elsewhere = std::any_of(groups.begin(), groups.end(), [](const std::string& g) {
      return g != "all" && g != "ungrouped";
    });
    if (in_ungrouped && elsewhere) {
      std::erase(ungrouped.hosts, name);
      std::erase(host.groups, "ungrouped");
    } else if (!in_ungrouped && !elsewhere) {
      ungrouped.hosts.push_back(name);
      host.groups.emplace_back("ungrouped");
    }
  }
  for (const auto& name : host_order_) {
    if (groups_.contains(name)) {
      warn(fmt::format("Found both group and host with same name: {}", name));
    }
  }
}

const InventoryHost* Inventory::findHost(std::string_view name) const {
  const auto it = hosts_.find(name);
  return it == hosts_.end() ? nullptr : &it->second;
}

const InventoryGroup* Inventory::findGroup(std::string_view name) const {
  const auto it = groups_.find(name);
  return it == groups_.end() ? nullptr : &it->second;
}

const InventoryHost* Inventory::localhostFor(std::string_view name) const {
  if (!isLocalhostName(name)) return nullptr;
  if (first_localhost_) return findHost(*first_localhost_);
  return &implicit_localhost_;
}

std::vector<std::string> Inventory::hostsOf(const std::string& group) const {
  std::vector<std::string> out;
  if (!groups_.contains(group)) return out;
  std::set<std::string> seen_hosts;
  std::set<std::string> seen_groups = {group};
  std::vector<std::string> level = {group};
  while (!level.empty()) {
    std::vector<std::string> next;
    for (const auto& name : level) {
      for (const auto& host : groups_.at(name).hosts) {
        if (seen_hosts.insert(host).second) out.push_back(host);
      }
      for (const auto& child : groups_.at(name).children) {
        if (seen_groups.insert(child).second) next.push_back(child);
      }
    }
    level = std::move(next);
  }
  return out;
}

std::vector<std::string> Inventory::ancestorGroupsOf(const std::string& host) const {
  std::vector<std::string> out;
  const auto it = hosts_.find(host);
  if (it == hosts_.end()) return out;
  std::vector<std::string> pending = it->second.groups;
  while (!pending.empty()) {
    std::string name = std::move(pending.front());
    pending.erase(pending.begin());
    if (std::find(out.begin(), out.end(), name) != out.end()) continue;
    const auto& parents = groups_.at(name).parents;
    pending.insert(pending.end(), parents.begin(), parents.end());
    out.push_back(std::move(name));
  }
  return out;
}

Data Inventory::groupsVar() const {
  Data out = Data::object();
  for (const auto& name : group_order_) out[name] = hostsOf(name);
  return out;
}

std::vector<std::string> Inventory::groupNamesOf(const std::string& host) const {
  auto groups = ancestorGroupsOf(host);
  std::erase(groups, "all");
  std::sort(groups.begin(), groups.end());
  return groups;
}

Result<Inventory> loadInventory(const std::vector<std::string>& sources) {
  Inventory inventory;
  for (const auto& source : sources) {
    if (source.empty()) continue;
    std::error_code ec;
    if (source.find(',') != std::string::npos && !fs::exists(source, ec)) {
      SC_TRY(loadHostList(inventory, source));
      continue;
    }
    const std::string path = fs::absolute(source, ec).lexically_normal().string();
    if (!fs::exists(path, ec)) {
      return Error(ErrorCode::NotFound,
                   "the inventory source does not exist (a host list needs a comma, as in "
                   "'web1,')",
                   source);
    }
    SC_TRY(loadPath(inventory, path));
    inventory.addSourceDir(fs::is_directory(path, ec) ? path
                                                      : fs::path(path).parent_path().string());
  }
  inventory.reconcile();
  return inventory;
}

}  // namespace sc::controller
