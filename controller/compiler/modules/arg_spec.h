// Module arguments as Ansible's argument specs type them. A task's
// arguments arrive as Data (strings from key=value, anything from a YAML
// mapping, whatever templates produced); each module declares its
// parameters here and gets back the manifest params its kind expects:
//   - aliases fold into the parameter's own name (`dest` -> `path`);
//   - booleans accept Ansible's spellings (yes/no, on/off, 1/0, true/false,
//     y/n, t/f in any case);
//   - `mode` as an int is the permission bits written in decimal, as
//     Ansible reads it (YAML's 0755 is 493 and becomes "0755"; 644 becomes
//     "01204", which is what Ansible does too);
//   - an argument left out with `omit` is as if never written;
//   - an unknown or missing required argument, or a value of the wrong
//     type, is an error naming the module and the parameter.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "controller/playbook/data.h"

namespace sc::controller::modules {

enum class ArgType { String, Bool, Int, Mode, StringList, StringMap, Raw };

struct ArgSpec {
  std::string_view name;  // the name the manifest uses
  ArgType type = ArgType::String;
  std::vector<std::string_view> aliases = {};
  bool required = false;
};

// `args` is the task's argument dict after templating; `omit` is the
// placeholder string `omit` renders to. The result holds manifest params
// named by ArgSpec::name.
Result<Data> applyArgSpec(std::string_view module, const Data& args,
                          const std::vector<ArgSpec>& specs, std::string_view omit);

// Ansible's boolean conversion of a module argument.
Result<bool> toBool(const Data& value);

}  // namespace sc::controller::modules
