// regex_replace, regex_search, regex_findall, regex_escape.
#include <gtest/gtest.h>

#include "tests/unit/controller/jinja/render_support.h"

namespace sc::controller::jinja {
namespace {

using testing::errorOf;
using testing::renderText;

TEST(RegexFiltersTest, Replace) {
  EXPECT_EQ(
      renderText(
          R"({{ 'abc' | regex_replace('b', 'X') }} {{ 'host.example.com' | regex_replace('^([^.]+)\\..*$', '\\1') }} )"
          R"({{ 'ABC' | regex_replace('b', 'x', ignorecase=true) }})"),
      "aXc host AxC");
}

TEST(RegexFiltersTest, SearchAndFindall) {
  EXPECT_EQ(
      renderText(
          R"({{ 'abc' | regex_search('b.') }} {{ 'abc' | regex_search('(b)(c)', '\\2', '\\1') }} )"
          R"([{{ 'abc' | regex_search('z') }}] {{ 'a1b22' | regex_findall('\\d+') }} )"
          R"({{ 'k=v;x=y' | regex_findall('(\\w)=(\\w)') }})"),
      "bc ['c', 'b'] [] ['1', '22'] [('k', 'v'), ('x', 'y')]");
  EXPECT_EQ(renderText(R"({{ 'a.b*c' | regex_escape }})"), R"(a\.b\*c)");
}

TEST(RegexFiltersTest, PythonOnlySyntaxIsRefused) {
  EXPECT_NE(errorOf("{{ 'ab' | regex_replace('(?P<x>a)', 'b') }}").find("(?P<"), std::string::npos);
}

}  // namespace
}  // namespace sc::controller::jinja
