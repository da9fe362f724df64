#include "controller/jinja/template_value.h"

#include "controller/jinja/py_format.h"
#include "controller/playbook/python_literal.h"

namespace sc::controller::jinja {
namespace {

bool isWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The name in "{{ name }}" (Ansible's SINGLE_VAR: ^{{\s*(\w*)\s*}}$).
std::optional<std::string> singleVariable(std::string_view s) {
  if (s.size() < 4 || s.substr(0, 2) != "{{" || s.substr(s.size() - 2) != "}}") return std::nullopt;
  std::string_view body = s.substr(2, s.size() - 4);
  std::size_t b = 0;
  while (b < body.size() && std::isspace(static_cast<unsigned char>(body[b]))) ++b;
  std::size_t e = body.size();
  while (e > b && std::isspace(static_cast<unsigned char>(body[e - 1]))) --e;
  const auto name = body.substr(b, e - b);
  for (char c : name) {
    if (!isWordChar(c)) return std::nullopt;
  }
  return std::string(name);
}

// Python's ast.literal_eval after Ansible's Json2Python (true/false/null
// read as True/False/None).
std::optional<Data> literal(const std::string& text) {
  auto parsed = parsePythonLiteral(text, "");
  if (parsed && *parsed) return **parsed;
  if (text.find("true") == std::string::npos && text.find("false") == std::string::npos &&
      text.find("null") == std::string::npos) {
    return std::nullopt;
  }
  // Rewrite the JSON names outside string literals and try again.
  std::string rewritten;
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote) {
      rewritten += c;
      if (c == '\\' && i + 1 < text.size()) {
        rewritten += text[++i];
      } else if (c == quote) {
        quote = 0;
      }
      continue;
    }
    if (c == '\'' || c == '"') quote = c;
    const bool boundary = i == 0 || !isWordChar(text[i - 1]);
    bool replaced = false;
    for (auto [json, python] : {std::pair{"true", "True"}, {"false", "False"}, {"null", "None"}}) {
      const std::string_view j(json);
      if (boundary && text.compare(i, j.size(), j) == 0 &&
          (i + j.size() == text.size() || !isWordChar(text[i + j.size()]))) {
        rewritten += python;
        i += j.size() - 1;
        replaced = true;
        break;
      }
    }
    if (!replaced) rewritten += c;
  }
  parsed = parsePythonLiteral(rewritten, "");
  if (parsed && *parsed) return **parsed;
  return std::nullopt;
}

Result<Data> templateString(const std::string& text, const SourceMap& source, Scope& scope,
                            const RenderOptions& options) {
  if (!mayBeTemplate(text)) return Data(text);
  if (auto name = singleVariable(text)) {
    SC_TRY_ASSIGN(auto value, scope.lookup(*name));
    if (value && (value->is_boolean() || value->is_number() || value->is_null())) return *value;
  }
  TemplateOptions parse_options;
  parse_options.raw_strings_in_expressions = true;
  SC_TRY_ASSIGN(auto tmpl, parseTemplate(text, source, parse_options));
  RenderOptions render_options = options;
  render_options.preserve_trailing_newlines = false;
  SC_TRY_ASSIGN(auto out, render(tmpl, scope, render_options));
  if ((!out.empty() && (out[0] == '{' || out[0] == '[')) || out == "True" || out == "False") {
    if (auto data = literal(out)) return *data;
  }
  std::size_t have = 0;
  while (have < out.size() && out[out.size() - 1 - have] == '\n') ++have;
  if (tmpl.trailingNewlines() > have) out.append(tmpl.trailingNewlines() - have, '\n');
  return Data(std::move(out));
}

Result<Data> templateAt(const Data& value, const SourceMap& source, Scope& scope,
                        const RenderOptions& options, int depth) {
  if (depth > 256) return Error(ErrorCode::TooDeep, "value nested too deeply to template");
  if (value.is_string()) return templateString(value.get<std::string>(), source, scope, options);
  if (value.is_array()) {
    Data out = Data::array();
    for (const auto& item : value) {
      SC_TRY_ASSIGN(auto v, templateAt(item, source, scope, options, depth + 1));
      out.push_back(std::move(v));
    }
    return out;
  }
  if (value.is_object()) {
    Data out = Data::object();
    for (auto it = value.begin(); it != value.end(); ++it) {
      SC_TRY_ASSIGN(out[it.key()], templateAt(it.value(), source, scope, options, depth + 1));
    }
    return out;
  }
  return value;
}

}  // namespace

bool mayBeTemplate(std::string_view text) {
  return text.find("{{") != std::string_view::npos || text.find("{%") != std::string_view::npos ||
         text.find("{#") != std::string_view::npos;
}

Result<Data> templateValue(const Data& value, const SourceMap& source, Scope& scope,
                           const RenderOptions& options) {
  return templateAt(value, source, scope, options, 0);
}

}  // namespace sc::controller::jinja
