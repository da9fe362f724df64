// Builds the AST (controller/jinja/ast.h) from tokens with Jinja2's grammar
// and operator precedence. Every syntax error names file:line:col and what
// was expected there. Statements Jinja2 has but this engine does not run
// (extends, include, import, call blocks, break/continue without the
// extension Ansible leaves off) are errors naming the tag, never skipped.
// Nesting is bounded: an expression or statement deeper than max_depth is a
// TooDeep error rather than a stack overflow.
#pragma once

#include <vector>

#include "common/error.h"
#include "controller/jinja/ast.h"
#include "controller/jinja/lexer.h"

namespace sc::controller::jinja {

struct ParseLimits {
  int max_depth = 128;
};

// A whole template: the statements in order.
Result<Body> parseTokens(const std::vector<Token>& tokens, const SourceMap& map,
                         const ParseLimits& limits = {});

// A bare expression such as a `when:` condition: the tokens of its text
// lexed as the inside of {{ }} (see parseExpression in template.h).
Result<ExprPtr> parseExpressionTokens(const std::vector<Token>& tokens, const SourceMap& map,
                                      const ParseLimits& limits = {});

}  // namespace sc::controller::jinja
