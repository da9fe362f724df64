// The Jinja2 engine's public interface: parse a template or a bare
// expression, render or evaluate it against variables the caller supplies.
// Output is byte for byte what Ansible 2.14's `template` module writes
// (trim_blocks on, lstrip_blocks off, "\n" newlines, undefined variables are
// errors except under `default`, `is defined` and `is undefined`, Python's
// printing of lists, dicts, booleans, None and floats). What is supported,
// refused and known to differ is in docs/jinja.md.
//
// Errors name file:line:col (the template's base position plus the offset
// inside it) and say what was expected or which name is unknown:
//   roles/web/templates/site.j2:3:14: error: unknown filter 'to_uuid'
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"
#include "controller/jinja/ast.h"
#include "controller/playbook/data.h"

namespace sc::controller::jinja {

// The variables a template reads. Ansible templates variables lazily: the
// compiler's Scope renders a variable holding "{{ ... }}" when it is looked
// up (with templateValue() below), so lookup can fail.
class Scope {
 public:
  virtual ~Scope() = default;
  // The variable's value; nullopt when it is not defined. Called at most
  // once per name per expression evaluation; never for names a template set.
  virtual Result<std::optional<Data>> lookup(std::string_view name) = 0;
};

// A Scope over one dict of variables (tests, the batch renderer, constants).
// It keeps its own copy.
class DataScope : public Scope {
 public:
  explicit DataScope(Data vars) : vars_(std::move(vars)) {}
  Result<std::optional<Data>> lookup(std::string_view name) override;

 private:
  Data vars_;
};

// lookup()/query() plugins other than `env`, which the engine runs itself.
class LookupHook {
 public:
  virtual ~LookupHook() = default;
  // Runs plugin `plugin` (file, template, pipe, password, ...) on `terms`
  // with its keyword options (a dict) and returns its list of results, as
  // an Ansible lookup plugin's run() does. An unknown plugin is an error.
  virtual Result<std::vector<Data>> run(std::string_view plugin, const std::vector<Data>& terms,
                                        const Data& options) = 0;
  // The controller's environment variable for lookup('env'); nullopt when
  // unset.
  virtual std::optional<std::string> environmentVariable(std::string_view name) = 0;
};

struct TemplateOptions {
  bool trim_blocks = true;
  bool lstrip_blocks = false;
  // Ansible renders with Jinja2's keep_trailing_newline off and then puts
  // back as many trailing newlines as the source had (see render()).
  bool keep_trailing_newline = false;
  // String literals inside {{ }} are taken without escape processing, as
  // Ansible's Templar.template() does for values in playbooks
  // (escape_backslashes); the template module leaves it off.
  bool raw_strings_in_expressions = false;
  int max_depth = 128;  // nesting of expressions and statements
};

struct RenderLimits {
  std::size_t max_output_bytes = 64u << 20;  // one render's output, and any string built
  int max_call_depth = 64;                   // macros calling macros
  int max_eval_depth = 512;                  // expression and statement recursion
  std::int64_t max_range = 1'000'000;        // items one range() may produce
  std::int64_t max_iterations = 10'000'000;  // loop iterations in one render
};

struct RenderOptions {
  LookupHook* lookups = nullptr;  // null: lookup()/query() other than env are errors
  RenderLimits limits;
  // Ansible appends newlines so the output ends in as many as the source.
  bool preserve_trailing_newlines = true;
};

class Template {
 public:
  const SourceMap& source() const { return source_; }
  const Body& body() const { return body_; }
  // How many "\n" the source text ends with (Ansible's data_newlines).
  std::size_t trailingNewlines() const { return trailing_newlines_; }

 private:
  friend Result<Template> parseTemplate(std::string_view, const SourceMap&, const TemplateOptions&);
  SourceMap source_;
  Body body_;
  std::size_t trailing_newlines_ = 0;
};

// A bare expression (a `when:` condition, `that:` of assert, `var=` of debug).
class Expression {
 public:
  const SourceMap& source() const { return source_; }
  const Expr& root() const { return *root_; }

 private:
  friend Result<Expression> parseExpression(std::string_view, const SourceMap&,
                                            const TemplateOptions&);
  SourceMap source_;
  ExprPtr root_;
};

// Parses template text. `source` names the file and where the text starts
// in it (line 1, column 1 for a template file; a YAML node's position for a
// value inside a playbook). Syntax errors are ErrorCode::Parse; unsupported
// tags are ErrorCode::Schema; nesting past max_depth is TooDeep.
Result<Template> parseTemplate(std::string_view text, const SourceMap& source,
                               const TemplateOptions& options = {});

// Renders a parsed template. Variables come from `scope`; errors (undefined
// variables, unknown filters, type errors, limits) name the place.
Result<std::string> render(const Template& tmpl, Scope& scope, const RenderOptions& options = {});

// Parses a bare expression such as "result.rc == 0 and x is defined".
Result<Expression> parseExpression(std::string_view text, const SourceMap& source,
                                   const TemplateOptions& options = {});

// Evaluates an expression (or any node of a parsed template) to data. The
// result must be data: an undefined value, a macro or a namespace is an
// error. `source` is the SourceMap of the template or expression the node
// came from, for error locations.
Result<Data> evaluate(const Expr& expr, const SourceMap& source, Scope& scope,
                      const RenderOptions& options = {});
Result<Data> evaluate(const Expression& expr, Scope& scope, const RenderOptions& options = {});

// Ansible's truth of a `when:` result (Python truthiness of the value).
bool isTrue(const Data& value);

}  // namespace sc::controller::jinja
