// Splits template text into tokens: literal text, the delimiters of
// {{ ... }} and {% ... %}, and the names, numbers, strings and operators
// inside them. Whitespace control is applied here, as in Jinja2's lexer:
// `{%-`/`-%}` (and the {{ }} and {# #} forms) strip whitespace beside the
// tag, trim_blocks removes the first newline after a block or comment tag,
// `+%}` keeps it. Newlines are normalised to "\n" first and, unless
// keep_trailing_newline is set, one final newline is dropped (Ansible puts
// trailing newlines back itself; see template.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "controller/jinja/ast.h"

namespace sc::controller::jinja {

enum class TokenKind {
  Data,        // text: literal template text
  VarBegin,    // {{
  VarEnd,      // }}
  BlockBegin,  // {%
  BlockEnd,    // %}
  Name,        // text: the identifier
  Integer,     // value
  Float,       // value
  String,      // value (escapes processed)
  Operator,    // text: "+", "//", "(", ...
  End,         // end of the template
};

struct Token {
  TokenKind kind = TokenKind::End;
  std::string text;
  Data value;
  Loc loc;
};

struct LexOptions {
  bool trim_blocks = true;
  bool lstrip_blocks = false;
  bool keep_trailing_newline = false;
  // Ansible's Templar.template() doubles backslashes inside string literals
  // of {{ }} before Jinja2 sees them (escape_backslashes), so there '\n' is a
  // backslash and an n. The template module does not.
  bool raw_strings_in_expressions = false;
  std::size_t max_tokens = 1'000'000;
};

Result<std::vector<Token>> tokenize(std::string_view source, const SourceMap& map,
                                    const LexOptions& options);

// Python's backslash escapes in a string literal (\n, \t, \x41, \u00e9, ...).
std::string unescapeString(std::string_view body);

}  // namespace sc::controller::jinja
