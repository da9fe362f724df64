// Templating for the compiler, on top of the Jinja2 engine: playbook values
// follow Ansible's rule (controller/jinja/template_value.h), `when:` is a
// bare expression true by Python's truthiness, and template files render as
// the template module renders them. Parsed expressions and template files
// are cached by text and position, so a task looped over a thousand items
// parses its conditions once.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>

#include "common/error.h"
#include "controller/jinja/template.h"
#include "controller/playbook/data.h"
#include "controller/playbook/yaml_document.h"

namespace sc::controller::compiler {

class Templar {
 public:
  explicit Templar(jinja::RenderOptions options = {}) : options_(options) {}

  // The value of `value` written at `at` (its YAML position).
  Result<Data> templateValue(const Data& value, jinja::Scope& scope, const yaml::Position& at);

  // A `when:`, `changed_when:` or `failed_when:` expression.
  Result<bool> condition(std::string_view written, jinja::Scope& scope, const yaml::Position& at);

  // A bare expression, parsed once per text and position.
  Result<const jinja::Expression*> expression(std::string_view text, const yaml::Position& at);

  // A playbook value's template text, parsed as templateValue() parses it,
  // once per text and position (for walking it, as late_params.h does).
  Result<const jinja::Template*> valueTemplate(std::string_view text, const yaml::Position& at);

  // A template file, rendered as Ansible's template module renders it.
  Result<std::string> renderFile(const std::string& path, jinja::Scope& scope);

  static bool hasTemplate(std::string_view text);

  // lookup()/query() plugins for what renders next; null: only env.
  void setLookups(jinja::LookupHook* lookups) { options_.lookups = lookups; }

 private:
  jinja::RenderOptions options_;
  std::map<std::tuple<std::string, std::string, int, int>, std::unique_ptr<jinja::Expression>>
      expressions_;
  std::map<std::string, std::unique_ptr<jinja::Template>> files_;
  std::map<std::tuple<std::string, std::string, int, int>, std::unique_ptr<jinja::Template>>
      values_;
};

}  // namespace sc::controller::compiler
