// YAML inventories, as Ansible 2.14's yaml plugin reads them:
//
//   all:
//     vars: {ntp: 10.0.0.1}
//     hosts:
//       web[01:03].example.com:      # ranges and :port work in keys
//         ansible_user: deploy
//     children:
//       db:
//         hosts: db1                  # a lone string is one host
//
// Top-level keys are groups; under a group only `vars`, `hosts` and
// `children` mean something. A null group, section or host is empty.
// Values are typed by YAML 1.1 (yaml_value.h). Where Ansible warns and
// skips (an unknown key in a group, a section that is a list), this loader
// warns too, through Inventory::warn(). A file that is not a YAML mapping
// at all is a Parse error, so that a file without an extension can be
// tried as INI next.
#include "controller/playbook/host_address.h"
#include "controller/playbook/inventory.h"
#include "controller/playbook/yaml_value.h"

namespace sc::controller {
namespace {

std::string kindName(const yaml::Node& node) {
  switch (node.kind) {
    case yaml::Node::Kind::Null:
      return "null";
    case yaml::Node::Kind::Scalar:
      return "a scalar";
    case yaml::Node::Kind::Sequence:
      return "a list";
    case yaml::Node::Kind::Mapping:
      return "a mapping";
  }
  return "?";
}

class YamlReader {
 public:
  explicit YamlReader(Inventory& inventory) : inventory_(inventory) {}

  Result<void> run(const yaml::Node& root) {
    for (const auto& [key, value] : root.entries) {
      SC_TRY_ASSIGN([[maybe_unused]] const std::string added, group(key, value));
    }
    return ok();
  }

 private:
  // A key's text, which must be a string once typed.
  static Result<std::string> name(const yaml::Node& key, const char* what) {
    SC_TRY_ASSIGN(const Data typed, toData(key));
    if (!typed.is_string() || typed.get_ref<const std::string&>().empty()) {
      return Error(
          ErrorCode::Schema,
          fmt::format("{} '{}' must be a non-empty string; quote it", what, pythonKeyText(typed)),
          key.position.text());
    }
    return typed.get<std::string>();
  }

  Result<std::string> group(const yaml::Node& key, const yaml::Node& data) {
    SC_TRY_ASSIGN(const std::string group_name, name(key, "group name"));
    if (!data.isMapping() && !data.isNull()) {
      inventory_.warn(fmt::format("{}: Skipping '{}' as this is not a valid group definition",
                                  key.position.text(), group_name));
      return group_name;
    }
    inventory_.addGroup(group_name);
    for (const auto& [section_key, section] : data.entries) {
      SC_TRY_ASSIGN(const Data typed, toData(section_key));
      const std::string section_name = pythonKeyText(typed);
      const bool known =
          section_name == "vars" || section_name == "hosts" || section_name == "children";
      if (known && section.isSequence()) {
        return Error(ErrorCode::Schema,
                     fmt::format("Invalid \"{}\" entry for \"{}\" group, requires a dictionary, "
                                 "found {} instead.",
                                 section_name, group_name, kindName(section)),
                     section.position.text());
      }
      if (section.isNull()) continue;
      if (!known) {
        inventory_.warn(
            fmt::format("{}: Skipping unexpected key ({}) in group ({}), only "
                        "\"vars\", \"children\" and \"hosts\" are valid",
                        section_key.position.text(), section_name, group_name));
        continue;
      }
      if (section.isScalar()) {
        // `hosts: web1` is `hosts: {web1: null}` (also for vars and
        // children), if the scalar is text.
        SC_TRY_ASSIGN(const Data text, toData(section));
        if (!text.is_string()) {
          return Error(ErrorCode::Schema,
                       fmt::format("Invalid \"{}\" entry for \"{}\" group, requires a "
                                   "dictionary, found {} instead.",
                                   section_name, group_name, text.type_name()),
                       section.position.text());
        }
        yaml::Node mapping;
        mapping.kind = yaml::Node::Kind::Mapping;
        mapping.position = section.position;
        yaml::Node empty;
        empty.position = section.position;
        mapping.entries.emplace_back(section, empty);
        SC_TRY(sectionEntries(group_name, section_name, mapping));
      } else {
        SC_TRY(sectionEntries(group_name, section_name, section));
      }
    }
    return group_name;
  }

  Result<void> sectionEntries(const std::string& group_name, const std::string& section_name,
                              const yaml::Node& section) {
    for (const auto& [key, value] : section.entries) {
      const std::string where = key.position.text();
      if (section_name == "vars") {
        SC_TRY_ASSIGN(const Data typed_key, toData(key));
        SC_TRY_ASSIGN(Data typed, toData(value));
        SC_TRY(
            inventory_.setGroupVar(group_name, pythonKeyText(typed_key), std::move(typed), where));
      } else if (section_name == "children") {
        SC_TRY_ASSIGN(const std::string child, group(key, value));
        if (inventory_.findGroup(child) == nullptr) {
          return Error(ErrorCode::Schema,
                       fmt::format("child group '{}' of '{}' is not a mapping", child, group_name),
                       where);
        }
        SC_TRY(inventory_.addChild(group_name, child, where));
      } else {
        SC_TRY(hosts(group_name, key, value));
      }
    }
    return ok();
  }

  Result<void> hosts(const std::string& group_name, const yaml::Node& key,
                     const yaml::Node& value) {
    const std::string where = key.position.text();
    SC_TRY_ASSIGN(const Data typed, toData(key));
    if (!typed.is_string()) {
      return Error(ErrorCode::Schema,
                   fmt::format("Host pattern {} must be a string. Enclose integers/floats in "
                               "quotation marks.",
                               pythonKeyText(typed)),
                   where);
    }
    SC_TRY_ASSIGN(const HostEntry entry, expandHostEntry(typed.get<std::string>(), where));
    if (!value.isMapping() && !value.isNull()) {
      return Error(ErrorCode::Schema,
                   fmt::format("the variables of host '{}' must be a mapping, not {}",
                               typed.get<std::string>(), kindName(value)),
                   value.position.text());
    }
    Data vars = Data::object();
    if (value.isMapping()) {
      SC_TRY_ASSIGN(vars, toData(value));
    }
    for (const auto& host : entry.names) {
      SC_TRY(inventory_.addHost(host, group_name, entry.port, where));
      for (const auto& [var, item] : vars.items()) inventory_.setHostVar(host, var, item);
    }
    return ok();
  }

  Inventory& inventory_;
};

}  // namespace

Result<void> loadYamlInventory(Inventory& inventory, std::string_view text,
                               const std::string& file) {
  SC_TRY_ASSIGN(const auto documents, yaml::parseYaml(text, file));
  if (documents.size() > 1) {
    return Error(ErrorCode::Parse, "a YAML inventory holds one document, this file has several",
                 documents[1].position.text());
  }
  if (documents.empty() || documents.front().isNull()) {
    return Error(ErrorCode::Parse, "Parsed empty YAML file", file);
  }
  const yaml::Node& root = documents.front();
  if (!root.isMapping()) {
    return Error(ErrorCode::Parse,
                 fmt::format("YAML inventory has invalid structure, it should be a dictionary, "
                             "got {}",
                             kindName(root)),
                 root.position.text());
  }
  if (const auto* plugin = root.find("plugin"); plugin != nullptr && !plugin->isNull()) {
    return Error(ErrorCode::Schema, "inventory plugin configurations are not supported",
                 plugin->position.text());
  }
  return YamlReader(inventory).run(root);
}

}  // namespace sc::controller
