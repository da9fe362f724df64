// YAML text exactly as PyYAML's yaml.dump writes it with Ansible's dumper,
// for the to_yaml and to_nice_yaml filters: keys sorted, YAML 1.1 look-alike
// strings ('yes', '123', '') quoted, scalar styles chosen as PyYAML's
// emitter chooses them, long scalars folded at 80 columns.
#pragma once

#include <string>

#include "controller/playbook/data.h"

namespace sc::controller::jinja {

struct YamlEmitOptions {
  int indent = 2;
  // PyYAML's default_flow_style: nullopt = collections of scalars only in
  // flow style (to_yaml); false = block style everywhere (to_nice_yaml).
  std::optional<bool> flow_style;
  int width = 80;
  bool sort_keys = true;
};

std::string emitYaml(const Data& data, const YamlEmitOptions& options);

}  // namespace sc::controller::jinja
