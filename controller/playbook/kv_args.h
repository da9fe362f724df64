// Module arguments written as one string: `apt: name=nginx state=present`,
// `command: creates=/x /usr/bin/make install`. A third of real tasks write
// them this way, so they must split exactly as Ansible splits them:
//   - words are separated by spaces and newlines, except inside quotes and
//     inside Jinja2 blocks ({{ }}, {% %}, {# #}), so `x={{ a | d("b c") }}`
//     stays one word;
//   - `key=value` words become arguments (the first unescaped `=` after the
//     first character splits them, backslash escapes such as \t and \" are
//     decoded, one pair of matching outer quotes is removed from the value);
//   - everything else is joined back into `_raw_params`, the free form of
//     command, shell and include;
//   - for free-form modules only creates, removes, chdir, executable, warn,
//     stdin, stdin_add_newline and strip_empty_ends are taken as arguments.
// Unbalanced quotes or Jinja2 blocks are an error.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"

namespace sc::controller::playbook {

// The argument string split into words, quotes and Jinja2 blocks kept.
Result<std::vector<std::string>> splitArgs(std::string_view args);

// `key=value` pairs in the order written; free-form words end up in one
// "_raw_params" pair (last). A repeated key keeps its last value, as Ansible.
// `free_form`: the module takes a command line (command, shell, raw, script).
Result<std::vector<std::pair<std::string, std::string>>> parseKeyValueArgs(std::string_view args,
                                                                           bool free_form);

}  // namespace sc::controller::playbook
