// Task lists as written: each entry is a module call (one module key, its
// arguments and keywords) or a block (block/rescue/always). Parsing checks
// the shape once per file; templating, loops and includes are resolved per
// host by the compiler, so values stay YAML nodes with their positions.
//
// Refused here, each naming file:line:col: an entry that is not a mapping;
// no module or two modules in one task; a misspelt keyword or module (with
// a suggestion); keywords modern Ansible removed (`sudo:` -> "use become:");
// `_raw_params` words for a module that takes none; a with_ loop that names
// no lookup; module arguments that are neither a mapping nor a string.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"
#include "controller/playbook/keywords.h"
#include "controller/playbook/yaml_document.h"

namespace sc::controller::playbook {

struct Task {
  yaml::Position position;  // the task's mapping
  bool is_block = false;

  // Module calls: the short module name ("copy", "include_tasks"), the
  // spelling used in the file, where it was written, and the arguments as
  // a mapping. Arguments written as `k=v` become quoted (string) scalars,
  // free-form words one "_raw_params" entry, positioned at the string.
  std::string action;
  std::string action_as_written;
  yaml::Position action_position;
  yaml::Node args;

  // Blocks.
  std::vector<Task> block, rescue, always;

  // Every keyword but the module and `args`, in the order written.
  std::vector<std::pair<std::string, yaml::Node>> keywords;

  // The loop: "" (none), "loop" (loop:) or a with_ lookup ("items", "dict").
  std::string loop_kind;

  const yaml::Node* keyword(std::string_view name) const;
};

// `node` is a task list (a sequence, or null for an empty list). Handlers
// are parsed with Place::Handler so `listen` is a keyword.
Result<std::vector<Task>> parseTaskList(const yaml::Node& node, Place place);

// One entry.
Result<Task> parseTask(const yaml::Node& node, Place place);

}  // namespace sc::controller::playbook
