// The AST the compiler walks, precedence, and syntax errors with places.
#include "controller/jinja/parser.h"

#include <gtest/gtest.h>

#include "tests/unit/controller/jinja/render_support.h"

namespace sc::controller::jinja {
namespace {

using testing::errorOf;
using testing::renderText;

TEST(ParserTest, BareExpressionsGiveAnAstToWalk) {
  auto e = parseExpression("result.rc == 0 and x is defined", SourceMap{"site.yml", 7, 13});
  ASSERT_TRUE(e.has_value()) << e.error().describe();
  const Expr& root = e->root();
  ASSERT_EQ(root.kind, ExprKind::Binary);
  EXPECT_EQ(root.name, "and");
  const Expr& cmp = *root.children[0];
  ASSERT_EQ(cmp.kind, ExprKind::Compare);
  EXPECT_EQ(cmp.ops, std::vector<std::string>{"=="});
  EXPECT_EQ(cmp.children[0]->kind, ExprKind::GetAttr);
  EXPECT_EQ(cmp.children[0]->name, "rc");
  EXPECT_EQ(cmp.children[0]->children[0]->name, "result");
  EXPECT_EQ(root.children[1]->kind, ExprKind::Test);
  EXPECT_EQ(root.children[1]->name, "defined");
  EXPECT_EQ(e->source().where(cmp.children[0]->children[0]->loc), "site.yml:7:13");
}

TEST(ParserTest, PrecedenceFollowsJinja) {
  EXPECT_EQ(renderText("{{ -2**2 }}|{{ 1 + 2 * 3 }}|{{ 2 ** 3 ** 2 }}|{{ not 1 == 2 }}"),
            "4|7|64|True");
  EXPECT_EQ(renderText("{{ 1 in [1] == True }}|{{ 1 < 2 < 3 }}|{{ 'a' ~ 2 * 3 }}"),
            "False|True|a6");
  EXPECT_EQ(renderText("{{ -1 | abs }}|{{ 'x' if false else 'y' }}|{{ 1, 2 }}"), "1|y|(1, 2)");
}

TEST(ParserTest, SyntaxErrorsSayWhatWasExpected) {
  EXPECT_EQ(errorOf("{% if x %}a"),
            "t.j2:1:12: error: unexpected end of template, expected "
            "'elif' or 'else' or 'endif' [parse_error]");
  EXPECT_EQ(errorOf("{{ 1 + }}"),
            "t.j2:1:8: error: expected an expression, got '}}' [parse_error]");
  EXPECT_EQ(errorOf("{% for x y %}{% endfor %}"),
            "t.j2:1:10: error: expected 'in', got 'y' [parse_error]");
  EXPECT_EQ(errorOf("{% endfor %}"), "t.j2:1:4: error: unexpected 'endfor' [parse_error]");
  EXPECT_EQ(errorOf("{% frobnicate %}"), "t.j2:1:4: error: unknown tag 'frobnicate' [parse_error]");
}

TEST(ParserTest, UnsupportedTagsAreRefusedByName) {
  EXPECT_EQ(errorOf("{% include 'a.j2' %}"), "t.j2:1:4: error: unsupported tag 'include' [schema]");
  EXPECT_EQ(errorOf("x\n{% extends 'b' %}"), "t.j2:2:4: error: unsupported tag 'extends' [schema]");
  EXPECT_EQ(errorOf("{% for x in y %}{% break %}{% endfor %}"),
            "t.j2:1:20: error: unsupported tag 'break' [schema]");
}

TEST(ParserTest, DeepNestingIsAnErrorNotACrash) {
  const std::string deep =
      "{{ " + std::string(100000, '(') + "1" + std::string(100000, ')') + " }}";
  EXPECT_NE(errorOf(deep).find("nesting is deeper than 128 levels [too_deep]"), std::string::npos);
  std::string ifs;
  for (int i = 0; i < 500; ++i) ifs += "{% if true %}";
  EXPECT_NE(errorOf(ifs).find("[too_deep]"), std::string::npos);
  std::string nots = "{{ ";
  for (int i = 0; i < 100000; ++i) nots += "not ";
  EXPECT_NE(errorOf(nots + "1 }}").find("[too_deep]"), std::string::npos);
  EXPECT_NE(errorOf("{{ " + std::string(100000, '-') + "1 }}").find("[too_deep]"),
            std::string::npos);
  EXPECT_NE(errorOf("{{ " + std::string(100000, '[') + std::string(100000, ']') + " }}")
                .find("[too_deep]"),
            std::string::npos);
}

}  // namespace
}  // namespace sc::controller::jinja
