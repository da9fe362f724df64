// Statements: if, for (loop object, else, unpacking, filtering), set,
// namespaces, macros, filter and with blocks; limits.
#include <gtest/gtest.h>

#include "tests/unit/controller/jinja/render_support.h"

namespace sc::controller::jinja {
namespace {

using testing::errorOf;
using testing::renderText;

TEST(RenderTest, IfElifElse) {
  const Data vars = {{"n", 2}};
  EXPECT_EQ(renderText("{% if n == 1 %}one{% elif n == 2 %}two{% else %}many{% endif %}", vars),
            "two");
  EXPECT_EQ(renderText("{% if [] %}a{% else %}b{% endif %}"), "b");
}

TEST(RenderTest, ForLoopObject) {
  EXPECT_EQ(renderText("{% for x in 'abc' %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}"
                       "{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }};"
                       "{% endfor %}"),
            "1032TrueFalse3;2121FalseFalse3;3210FalseTrue3;");
  EXPECT_EQ(renderText("{% for x in [1,2,3] %}{{ loop.cycle('a','b') }}{{ loop.previtem | "
                       "default('-') }}{{ loop.nextitem | default('-') }}{{ loop.depth }} "
                       "{% endfor %}"),
            "a-21 b131 a2-1 ");
}

TEST(RenderTest, ForElseUnpackingAndFilter) {
  const Data vars = {{"d", {{"b", 1}, {"a", 2}}}, {"empty", Data::array()}};
  EXPECT_EQ(renderText("{% for k, v in d.items() %}{{ k }}={{ v }} {% endfor %}", vars),
            "b=1 a=2 ");
  EXPECT_EQ(renderText("{% for k in d %}{{ k }}{% endfor %}", vars), "ba");
  EXPECT_EQ(renderText("{% for x in empty %}x{% else %}none{% endfor %}", vars), "none");
  EXPECT_EQ(
      renderText("{% for x in range(10) if x is even %}{{ x }}{{ loop.length }},{% endfor %}"),
      "05,25,45,65,85,");
  EXPECT_EQ(errorOf("{% for a, b in [[1, 2, 3]] %}{% endfor %}"),
            "t.j2:1:4: error: too many values to unpack (expected 2) [schema]");
}

TEST(RenderTest, SetScopesAndNamespaces) {
  EXPECT_EQ(renderText("{% set x = 1 %}{% for i in [1] %}{% set x = 2 %}{% endfor %}{{ x }}"), "1");
  EXPECT_EQ(renderText("{% set ns = namespace(found=false) %}{% for i in [1,2] %}{% if i == 2 %}"
                       "{% set ns.found = true %}{% endif %}{% endfor %}{{ ns.found }}"),
            "True");
  EXPECT_EQ(renderText("{% set a, b = 1, 2 %}{{ b }}{{ a }}"), "21");
  EXPECT_EQ(renderText("{% set x %}in {{ 1 + 1 }}\n{% endset %}[{{ x }}]"), "[in 2\n]");
  EXPECT_EQ(renderText("{% set x | upper %}abc{% endset %}{{ x }}"), "ABC");
}

TEST(RenderTest, Macros) {
  EXPECT_EQ(
      renderText("{% macro m(a, b='B') %}<{{ a }}{{ b }}>{% endmacro %}{{ m(1) }}{{ m(2, 3) }}"
                 "{{ m(b=4, a=5) }}"),
      "<1B><23><54>");
  EXPECT_EQ(errorOf("{% macro m(a) %}{% endmacro %}{{ m(1, 2) }}"),
            "t.j2:1:34: error: macro 'm' takes not more than 1 argument(s) [schema]");
  EXPECT_NE(errorOf("{% macro m(n) %}{{ m(n) }}{% endmacro %}{{ m(1) }}").find("[too_deep]"),
            std::string::npos);
}

TEST(RenderTest, FilterAndWithBlocks) {
  EXPECT_EQ(renderText("{% filter upper %}ab{{ 'c' }}{% endfilter %}"), "ABC");
  EXPECT_EQ(renderText("{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}"), "3");
}

TEST(RenderTest, UndefinedUseIsAnErrorNamingTheVariable) {
  EXPECT_EQ(errorOf("line\n{% if missing %}x{% endif %}"),
            "t.j2:2:7: error: 'missing' is undefined [schema]");
  EXPECT_EQ(errorOf("{% for x in missing %}{% endfor %}"),
            "t.j2:1:13: error: 'missing' is undefined [schema]");
  EXPECT_EQ(renderText("{{ missing.attr | default('d') }}{{ missing is defined }}"), "dFalse");
}

TEST(RenderTest, LimitsEndInErrors) {
  EXPECT_NE(errorOf("{{ range(100000000) | length }}").find("[too_large]"), std::string::npos);
  EXPECT_NE(errorOf("{{ 'x' * 1000000000 }}").find("[too_large]"), std::string::npos);
  RenderOptions small;
  small.limits.max_output_bytes = 100;
  EXPECT_NE(errorOf("{% for i in range(1000) %}xx{% endfor %}", Data::object(), small)
                .find("[too_large]"),
            std::string::npos);
  RenderOptions few;
  few.limits.max_iterations = 50;
  EXPECT_NE(errorOf("{% for i in range(10) %}{% for j in range(10) %}{% endfor %}{% endfor %}",
                    Data::object(), few)
                .find("more than 50 loop iterations"),
            std::string::npos);
}

}  // namespace
}  // namespace sc::controller::jinja
