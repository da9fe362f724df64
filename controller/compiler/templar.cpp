#include "controller/compiler/templar.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "common/text/utf8.h"
#include "controller/jinja/py_format.h"
#include "controller/jinja/template_value.h"

namespace sc::controller::compiler {
namespace {

jinja::SourceMap sourceAt(const yaml::Position& at) {
  jinja::SourceMap source;
  source.file = at.file.str();
  source.base_line = at.line > 0 ? at.line : 1;
  source.base_column = at.column > 0 ? at.column : 1;
  return source;
}

jinja::TemplateOptions valueOptions() {
  jinja::TemplateOptions options;
  // Values in playbooks are templated with escapes kept as written.
  options.raw_strings_in_expressions = true;
  return options;
}

}  // namespace

bool Templar::hasTemplate(std::string_view text) { return jinja::mayBeTemplate(text); }

Result<Data> Templar::templateValue(const Data& value, jinja::Scope& scope,
                                    const yaml::Position& at) {
  return jinja::templateValue(value, sourceAt(at), scope, options_);
}

Result<bool> Templar::condition(std::string_view written, jinja::Scope& scope,
                                const yaml::Position& at) {
  std::string text(written);
  if (hasTemplate(text)) {
    // when: "{{ x }}" works in Ansible (with a warning): the rendered text
    // is then read as the expression.
    SC_TRY_ASSIGN(Data rendered, templateValue(Data(text), scope, at));
    if (rendered.is_boolean()) return rendered.get<bool>();
    text = jinja::pyStr(rendered);
  }
  SC_TRY_ASSIGN(const jinja::Expression* parsed_expression, expression(text, at));
  SC_TRY_ASSIGN(const Data value, jinja::evaluate(*parsed_expression, scope, options_));
  return jinja::isTrue(value);
}

Result<const jinja::Expression*> Templar::expression(std::string_view text,
                                                     const yaml::Position& at) {
  auto key = std::make_tuple(std::string(text), at.file.str(), at.line, at.column);
  auto it = expressions_.find(key);
  if (it == expressions_.end()) {
    SC_TRY_ASSIGN(jinja::Expression parsed,
                  jinja::parseExpression(text, sourceAt(at), valueOptions()));
    it =
        expressions_.emplace(std::move(key), std::make_unique<jinja::Expression>(std::move(parsed)))
            .first;
  }
  return it->second.get();
}

Result<const jinja::Template*> Templar::valueTemplate(std::string_view text,
                                                      const yaml::Position& at) {
  auto key = std::make_tuple(std::string(text), at.file.str(), at.line, at.column);
  auto it = values_.find(key);
  if (it == values_.end()) {
    SC_TRY_ASSIGN(jinja::Template parsed, jinja::parseTemplate(text, sourceAt(at), valueOptions()));
    it =
        values_.emplace(std::move(key), std::make_unique<jinja::Template>(std::move(parsed))).first;
  }
  return it->second.get();
}

Result<std::string> Templar::renderFile(const std::string& path, jinja::Scope& scope) {
  auto it = files_.find(path);
  if (it == files_.end()) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error(ErrorCode::NotFound, fmt::format("cannot read template '{}'", path));
    std::ostringstream text;
    text << in.rdbuf();
    if (const std::size_t bad = text::utf8::firstInvalid(text.str()); bad != std::string::npos) {
      return Error(ErrorCode::Encoding,
                   fmt::format("invalid UTF-8 (byte 0x{:02x}); templates must be UTF-8, as "
                               "for Ansible's template module",
                               static_cast<unsigned char>(text.str()[bad])),
                   yaml::positionOf(path, text.str(), bad).text());
    }
    jinja::SourceMap source;
    source.file = path;
    SC_TRY_ASSIGN(jinja::Template tmpl, jinja::parseTemplate(text.str(), source));
    it = files_.emplace(path, std::make_unique<jinja::Template>(std::move(tmpl))).first;
  }
  return jinja::render(*it->second, scope, options_);
}

}  // namespace sc::controller::compiler
