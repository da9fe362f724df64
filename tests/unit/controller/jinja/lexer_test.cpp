// Tokens and whitespace control as Jinja2's lexer produces them.
#include "controller/jinja/lexer.h"

#include <gtest/gtest.h>

#include "tests/unit/controller/jinja/render_support.h"

namespace sc::controller::jinja {
namespace {

using testing::errorOf;
using testing::renderText;

TEST(LexerTest, TrimBlocksEatsOneNewlineAfterBlocksAndComments) {
  EXPECT_EQ(renderText("{% if true %}\na\n{% endif %}\nb"), "a\nb");
  EXPECT_EQ(renderText("{# c #}\nX"), "X");
  EXPECT_EQ(renderText("{{ 1 }}\nX"), "1\nX");
  EXPECT_EQ(renderText("{% if true +%}\nx{% endif %}"), "\nx");
}

TEST(LexerTest, MinusStripsWhitespaceIncludingNewlines) {
  EXPECT_EQ(renderText("a  {{- 1 -}}  b"), "a1b");
  EXPECT_EQ(renderText("a\n  {%- if true -%}\n  b{% endif %}"), "ab");
  EXPECT_EQ(renderText("{{-1}}"), "1");
}

TEST(LexerTest, RawBlocksAreLiteral) {
  EXPECT_EQ(renderText("{% raw %}\n{{x}}{% endraw %}\nz"), "\n{{x}}z");
  EXPECT_EQ(renderText("a\n  {%- raw -%}  x  {%- endraw -%}  \nb"), "axb");
}

TEST(LexerTest, NewlinesAreNormalisedAndTrailingOnesKept) {
  EXPECT_EQ(renderText("a\r\nb\rc\n"), "a\nb\nc\n");
  // Ansible puts back the newlines trim_blocks took after the last tag.
  EXPECT_EQ(renderText("{% if true %}a{% endif %}\n"), "a\n");
  EXPECT_EQ(renderText("x\n\n"), "x\n\n");
}

TEST(LexerTest, NumbersAndStrings) {
  EXPECT_EQ(renderText("{{ 1_000 }} {{ 1e3 }} {{ 0x10 }} {{ 0b11 }} {{ 1.5 }}"),
            "1000 1000.0 16 3 1.5");
  EXPECT_EQ(renderText(R"({{ 'a\nb' }}|{{ "\x41\u00e9" }}|{{ 'a' "b" }})"), "a\nb|A\xc3\xa9|ab");
}

TEST(LexerTest, ErrorsNameThePlace) {
  EXPECT_EQ(errorOf("ab\n  {{ 1 "),
            "t.j2:2:3: error: unexpected end of template, expected '}}' [parse_error]");
  auto tokens = tokenize("x\n {# open", SourceMap{"f.j2", 10, 5}, LexOptions{});
  ASSERT_FALSE(tokens.has_value());
  EXPECT_EQ(tokens.error().where(), "f.j2:11:2");
  EXPECT_EQ(tokens.error().message(), "missing end of comment tag '#}'");
  auto bad = tokenize("{{ 'abc }}", SourceMap{"f.j2", 1, 1}, LexOptions{});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message(), "unterminated string literal");
}

TEST(LexerTest, BasePositionAppliesToTheFirstLine) {
  SourceMap map{"site.yml", 14, 9};
  EXPECT_EQ(map.where(Loc{1, 3}), "site.yml:14:11");
  EXPECT_EQ(map.where(Loc{2, 3}), "site.yml:15:3");
}

}  // namespace
}  // namespace sc::controller::jinja
