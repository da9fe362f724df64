// Task arguments that read a result registered on the host
// (`dest: "{{ tmp.path }}/app.conf"`, `content: "{{ out.stdout | trim }}"`)
// cannot be templated here. They become late bindings in the manifest
// (common/manifest/late_binding.h), which the agent fills in just before
// the resource runs.
//
// How: before the arguments are templated, each string that reads a
// run-time name is rendered with every expression over a registered field
// (with its filters) replaced by a placeholder. The module compiles as
// usual, carrying the placeholders into whichever parameter it builds (a
// command line's words, a file's path). Afterwards each parameter holding
// placeholders becomes one binding of its text and fields, and is left null
// in params. A placeholder the module consumed (a `mode` it
// parses, a `src` it reads on the controller) is an error naming the
// argument: that value is needed before the host is reached.
//
// Supported inside such a string: text and {{ }} expressions; an
// expression reading a run-time name must be a field (.attr, ['key'],
// [index] steps) through the filters late_binding.h lists.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/manifest/late_binding.h"
#include "controller/compiler/templar.h"
#include "controller/playbook/data.h"
#include "controller/playbook/yaml_document.h"

namespace sc::controller::compiler {

class LateParams {
 public:
  // `args` (the arguments `node` holds, as data) with each {{ }} expression
  // that reads one of `run_time_names` replaced by a placeholder, and every
  // other part of such a string rendered.
  Result<Data> substitute(const Data& args, const yaml::Node& node,
                          const std::set<std::string>& run_time_names, jinja::Scope& scope,
                          Templar& templar);

  bool empty() const { return fields_.empty(); }

  // Turns the placeholders in the compiled `params` into bindings (and the
  // parameters holding them into null). `module` names the module in
  // errors.
  Result<std::vector<manifest::LateBinding>> collect(nlohmann::json& params,
                                                     std::string_view module) const;

 private:
  struct Field {
    std::string argument;  // where it was written, for errors: "dest"
    manifest::LatePart part;
  };
  Result<Data> walk(const Data& value, const yaml::Node* node, const yaml::Position& at,
                    const std::string& argument, const std::set<std::string>& names,
                    jinja::Scope& scope, Templar& templar);
  std::vector<Field> fields_;
};

}  // namespace sc::controller::compiler
