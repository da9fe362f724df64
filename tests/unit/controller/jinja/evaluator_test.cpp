// Expressions: literals, arithmetic with Python semantics, comparisons,
// attribute and item access, slices, methods, globals, lookups, evaluate().
#include "controller/jinja/evaluator.h"

#include <gtest/gtest.h>

#include "tests/unit/controller/jinja/render_support.h"

namespace sc::controller::jinja {
namespace {

using testing::errorOf;
using testing::renderText;

TEST(EvaluatorTest, ArithmeticIsPython) {
  EXPECT_EQ(renderText("{{ 5 // 2 }} {{ -5 // 2 }} {{ -5 % 3 }} {{ 2 ** -1 }} {{ 7 / 2 }} "
                       "{{ 1 + true }} {{ 0.1 + 0.2 }} {{ 7.5 // 2 }} {{ -7.5 % 2 }}"),
            "2 -3 1 0.5 3.5 2 0.30000000000000004 3.0 0.5");
  EXPECT_EQ(renderText("{{ 'ab' * 2 }} {{ [1] * 2 }} {{ [1] + [2] }} {{ 'x' ~ 1 ~ none }}"),
            "abab [1, 1] [1, 2] x1None");
  EXPECT_EQ(errorOf("{{ 1 / 0 }}"), "t.j2:1:6: error: division by zero [schema]");
  EXPECT_EQ(errorOf("{{ 1 + 'a' }}"),
            "t.j2:1:6: error: unsupported operand type(s) for +: 'int' and 'str' [schema]");
  EXPECT_NE(errorOf("{{ 2 ** 100 }}").find("integer overflow"), std::string::npos);
}

TEST(EvaluatorTest, AttributesFallBackToItemsAndBack) {
  const Data vars = {{"d", {{"a", 1}, {"items", 5}, {"k-1", 2}}}, {"l", {10, 20, 30}}};
  EXPECT_EQ(renderText("{{ d.a }} {{ d['a'] }} {{ d['items'] }} {{ d['k-1'] }} {{ l.1 }} "
                       "{{ l[-1] }}",
                       vars),
            "1 1 5 2 20 30");
  EXPECT_EQ(renderText("{{ d.items() | list }}", vars), "[('a', 1), ('items', 5), ('k-1', 2)]");
  EXPECT_EQ(errorOf("{{ d.zz }}", vars),
            "t.j2:1:1: error: 'dict object' has no attribute 'zz' [schema]");
}

TEST(EvaluatorTest, Slices) {
  EXPECT_EQ(renderText("{{ [1,2,3,4][1:3] }} {{ [1,2,3][::-1] }} {{ 'h\xc3\xa9llo'[1:3] }} "
                       "{{ 'abcdef'[::2] }} {{ [1,2,3][-2:] }} {{ [1,2,3][5:] }}"),
            "[2, 3] [3, 2, 1] \xc3\xa9l ace [2, 3] []");
}

TEST(EvaluatorTest, Methods) {
  EXPECT_EQ(
      renderText("{{ 'a,b'.split(',') }} {{ ' a b '.split() }} {{ 'a-b-c'.rsplit('-', 1) }} "
                 "{{ '-'.join(['x', 'y']) }} {{ 'abc'.replace('b', 'B') }} "
                 "{{ 'abc'.find('c') }} {{ 'abc'.startswith(('x', 'a')) }} "
                 "{{ 'xaxx'.strip('x') }} {{ 'a\\nb'.splitlines() }} {{ 'hello world'.title() }} "
                 "{{ '{} is {:>4}'.format('x', 12) }}"),
      "['a', 'b'] ['a', 'b'] ['a-b', 'c'] x-y aBc 2 True a ['a', 'b'] Hello World x is   12");
  const Data vars = {{"d", {{"a", 1}}}, {"l", {1, 2, 1}}};
  EXPECT_EQ(renderText("{{ d.get('a') }} {{ d.get('b', 'z') }} {{ d.keys() | list }} "
                       "{{ d.values() | list }} {{ l.index(2) }} {{ l.count(1) }}",
                       vars),
            "1 z ['a'] [1] 1 2");
  EXPECT_NE(errorOf("{{ l.append(3) }}", vars).find("not supported"), std::string::npos);
}

TEST(EvaluatorTest, GlobalsAndLookups) {
  EXPECT_EQ(renderText("{{ range(3) | list }} {{ range(1, 10, 4) | list }} {{ dict(a=1) }}"),
            "[0, 1, 2] [1, 5, 9] {'a': 1}");
  EXPECT_EQ(renderText("{{ lookup('env', 'HOME') }} {{ query('env', 'HOME') }} "
                       "[{{ lookup('env', 'NOPE') }}] {{ lookup('items', 'a', 'b') }}"),
            "/home/tester ['/home/tester'] [] a,b");
  EXPECT_EQ(errorOf("{{ lookup('pipe', 'date') }}"),
            "t.j2:1:4: error: unknown lookup plugin 'pipe' [schema]");
}

TEST(EvaluatorTest, PercentFormatting) {
  EXPECT_EQ(renderText("{{ '%s-%d' % ('a', 3) }} {{ '%05.1f|%-4s|%x' % (3.14159, 'ab', 255) }} "
                       "{{ '%(k)s' % {'k': 'v'} }} {{ '%s' % [1] }}"),
            "a-3 003.1|ab  |ff v [1]");
}

TEST(EvaluatorTest, EvaluateGivesData) {
  const Data vars = {{"result", {{"rc", 0}, {"stdout", "ok"}}}};
  DataScope scope(vars);
  auto e = parseExpression("result.rc == 0 and 'ok' in result.stdout", SourceMap{"t.yml", 3, 11});
  ASSERT_TRUE(e.has_value());
  auto v = evaluate(*e, scope);
  ASSERT_TRUE(v.has_value()) << v.error().describe();
  EXPECT_EQ(*v, Data(true));
  auto list = parseExpression("[1, 'a'] + [none]", SourceMap{"t.yml", 1, 1});
  ASSERT_TRUE(list.has_value());
  EXPECT_EQ(*evaluate(*list, scope), Data::parse(R"([1, "a", null])"));
  auto missing = parseExpression("nope.x", SourceMap{"t.yml", 3, 11});
  ASSERT_TRUE(missing.has_value());
  auto err = evaluate(*missing, scope);
  ASSERT_FALSE(err.has_value());
  EXPECT_EQ(err.error().describe(), "t.yml:3:11: error: 'nope' is undefined [schema]");
}

}  // namespace
}  // namespace sc::controller::jinja
