// inventory_dump: the controller's inventory code as a batch tool, for
// tests/ansible/inventory_differential.py. It reads a JSON list of cases
// on stdin and prints one JSON object keyed by case id:
//
//   in:  [{"id": "c1", "sources": ["/tmp/x/hosts"], "playbook_dir": "/tmp/x",
//          "list": true, "patterns": [{"pattern": "web:&db", "limit": "w*"}]}]
//   out: {"c1": {"list": <what `ansible-inventory --list` prints>,
//                "patterns": [{"hosts": [...], "warnings": [...]}]}}
//
// A failure prints {"error": "file:line: error: message"} in place of the
// list or of one pattern's result. One process answers every case, so the
// test pays our start-up once.
#include <iostream>
#include <iterator>
#include <set>
#include <string>

#include "controller/playbook/host_pattern.h"
#include "controller/playbook/inventory.h"
#include "controller/playbook/inventory_vars.h"

namespace {

using sc::controller::Data;
using sc::controller::Inventory;

// ansible-inventory's json_inventory(): every group reachable from `all`,
// its own hosts (not for `all`) and child names, empty keys dropped.
void formatGroup(const Inventory& inventory, const std::string& name, std::set<std::string>& seen,
                 Data& out) {
  const auto* group = inventory.findGroup(name);
  Data entry = Data::object();
  if (name != "all" && !group->hosts.empty()) entry["hosts"] = group->hosts;
  if (!group->children.empty()) entry["children"] = group->children;
  for (const auto& child : group->children) {
    if (seen.insert(child).second) formatGroup(inventory, child, seen, out);
  }
  if (!entry.empty()) out[name] = std::move(entry);
}

Data listInventory(const Inventory& inventory, const std::vector<std::string>& playbook_dirs) {
  Data out = Data::object();
  std::set<std::string> seen;
  formatGroup(inventory, "all", seen, out);
  Data hostvars = Data::object();
  for (const auto& host : inventory.hostsOf("all")) {
    auto vars = sc::controller::inventoryVars(inventory, host, playbook_dirs);
    if (!vars) return Data{{"error", vars.error().describe()}};
    if (!vars->empty()) hostvars[host] = std::move(*vars);
  }
  out["_meta"] = Data{{"hostvars", std::move(hostvars)}};
  return out;
}

Data runCase(const Data& spec) {
  Data result = Data::object();
  auto inventory =
      sc::controller::loadInventory(spec.at("sources").get<std::vector<std::string>>());
  if (!inventory) {
    result["error"] = inventory.error().describe();
    return result;
  }
  std::vector<std::string> playbook_dirs;
  if (spec.contains("playbook_dir")) playbook_dirs.push_back(spec["playbook_dir"]);
  if (spec.value("list", false)) result["list"] = listInventory(*inventory, playbook_dirs);
  result["warnings"] = inventory->warnings();
  Data patterns = Data::array();
  for (const auto& item : spec.value("patterns", Data::array())) {
    std::vector<std::string> limits;
    if (item.contains("limit")) limits.push_back(item["limit"]);
    auto selection = sc::controller::selectHosts(*inventory, {item.at("pattern")}, limits);
    if (!selection) {
      patterns.push_back(Data{{"error", selection.error().describe()}});
    } else {
      patterns.push_back(Data{{"hosts", selection->hosts}, {"warnings", selection->warnings}});
    }
  }
  result["patterns"] = std::move(patterns);
  return result;
}

}  // namespace

int main() {
  const std::string input((std::istreambuf_iterator<char>(std::cin)),
                          std::istreambuf_iterator<char>());
  const Data cases = Data::parse(input, nullptr, /*allow_exceptions=*/false);
  if (!cases.is_array()) {
    std::cerr << "inventory_dump: stdin must be a JSON list of cases\n";
    return 2;
  }
  Data out = Data::object();
  for (const auto& spec : cases) out[spec.at("id").get<std::string>()] = runCase(spec);
  std::cout << out.dump(1, ' ', false, Data::error_handler_t::replace) << "\n";
  return 0;
}
