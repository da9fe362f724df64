// Tests (`is ...`), including Ansible's registered-result tests.
#include <gtest/gtest.h>

#include "tests/unit/controller/jinja/render_support.h"

namespace sc::controller::jinja {
namespace {

using testing::errorOf;
using testing::renderText;

TEST(TestsTest, TypeTests) {
  EXPECT_EQ(
      renderText("{{ 1 is number }}{{ 1.5 is float }}{{ 1 is integer }}{{ true is boolean }}"
                 "{{ 'a' is string }}{{ {} is mapping }}{{ [] is sequence }}{{ none is none }}"
                 "{{ x is defined }}{{ x is undefined }}{{ x is string }}"),
      "TrueTrueTrueTrueTrueTrueTrueTrueFalseTrueFalse");
}

TEST(TestsTest, ComparisonAndNumberTests) {
  EXPECT_EQ(renderText("{{ 3 is divisibleby 3 }}{{ 3 is odd }}{{ 4 is even }}{{ 2 is eq 2 }}"
                       "{{ 2 is gt 1 }}{{ 2 is in [1, 2] }}{{ [1] is contains 1 }}"
                       "{{ 'ab' is lower }}{{ 'AB' is upper }}{{ 3 is not even }}"),
            "TrueTrueTrueTrueTrueTrueTrueTrueTrueTrue");
}

TEST(TestsTest, RegexAndVersionTests) {
  EXPECT_EQ(renderText("{{ 'abc' is match('b') }}{{ 'abc' is search('b') }}"
                       "{{ 'abc' is regex('^a') }}{{ 'ABC' is match('a', ignorecase=true) }}"),
            "FalseTrueTrueTrue");
  EXPECT_EQ(renderText("{{ '1.10' is version('1.9', '>') }}{{ '2.0' is version('2.0.0', 'eq') }}"
                       "{{ '1.2.3' is version('1.2.4', 'lt', strict=true) }}"
                       "{{ '1.0.0-rc1' is version('1.0.0', '<', version_type='semver') }}"),
            "TrueFalseTrueTrue");
  EXPECT_NE(errorOf("{{ '1.0a' is version('1.0.1', '>') }}").find("Version comparison failed"),
            std::string::npos);
}

TEST(TestsTest, RegisteredResultTests) {
  const Data vars = Data::parse(R"({"ok": {"changed": false, "rc": 0},
      "bad": {"failed": true}, "skip": {"skipped": true, "changed": false},
      "loop": {"results": [{"changed": false}, {"changed": true}]}})");
  EXPECT_EQ(
      renderText("{{ ok is changed }}{{ ok is succeeded }}{{ ok is success }}{{ bad is failed }}"
                 "{{ skip is skipped }}{{ loop is changed }}{{ ok is not failed }}",
                 vars),
      "FalseTrueTrueTrueTrueTrueTrue");
  EXPECT_EQ(errorOf("{{ 'x' is changed }}"),
            "t.j2:1:11: error: The 'changed' test expects a dictionary [schema]");
}

TEST(TestsTest, UnknownTestIsNamed) {
  EXPECT_EQ(errorOf("{{ 1 is frobbed }}"), "t.j2:1:9: error: unknown test 'frobbed' [schema]");
}

}  // namespace
}  // namespace sc::controller::jinja
