// Ansible 2.14's rule for templating a value written in a playbook (task
// arguments, vars, facts), Templar.template() with jinja2_native off:
//   1. Lists are templated item by item and dicts value by value (keys are
//      left alone); numbers, booleans and None are themselves.
//   2. A string without "{{", "{%" or "{#" is itself.
//   3. A string that is exactly "{{ name }}" (spaces allowed) naming a
//      variable that holds a bool or a number gives that value unchanged,
//      and None for a variable holding None.
//   4. Otherwise the string is rendered (trim_blocks on; string literals
//      inside {{ }} keep their backslashes, Ansible's escape_backslashes).
//      When the text starts with '{' or '[', or is "True" or "False", it
//      is read as a Python literal (ast.literal_eval, with JSON's true,
//      false and null accepted): "[1, 2]" becomes a list, "True" a bool.
//      If that fails it stays text. Everything else stays text: "{{ 1 + 1 }}"
//      is the string "2", "{{ none_var }}" is "".
//   5. Text results get the source's trailing newlines back, as templates do.
// Checked against ansible-core 2.14 (tests/ansible/jinja_differential.py,
// "value" cases).
#pragma once

#include "common/error.h"
#include "controller/jinja/template.h"
#include "controller/playbook/data.h"

namespace sc::controller::jinja {

// `source` is where the value was written (a YAML node's position).
Result<Data> templateValue(const Data& value, const SourceMap& source, Scope& scope,
                           const RenderOptions& options = {});

// True when `text` holds "{{", "{%" or "{#" (Ansible's is_possibly_template).
bool mayBeTemplate(std::string_view text);

}  // namespace sc::controller::jinja
