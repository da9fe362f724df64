// default, mandatory, bool, int, float, string, length, first, last, list,
// join, ternary, abs, round: values checked against Ansible 2.14.
#include <gtest/gtest.h>

#include "tests/unit/controller/jinja/render_support.h"

namespace sc::controller::jinja {
namespace {

using testing::errorOf;
using testing::renderText;

TEST(CoreFiltersTest, DefaultAndMandatory) {
  EXPECT_EQ(renderText("{{ x | default('d') }}{{ '' | default('e', true) }}{{ 0 | d(5) }}"
                       "{{ x | default }}|"),
            "de0|");
  EXPECT_EQ(errorOf("{{ x | mandatory }}"),
            "t.j2:1:8: error: Mandatory variable 'x'  not defined. [schema]");
  EXPECT_EQ(errorOf("{{ x | mandatory('custom msg') }}"), "t.j2:1:8: error: custom msg [schema]");
  EXPECT_EQ(errorOf("{{ x | upper }}"), "t.j2:1:8: error: 'x' is undefined [schema]");
  EXPECT_EQ(errorOf("{{ 1 | to_uuid }}"), "t.j2:1:8: error: unknown filter 'to_uuid' [schema]");
}

TEST(CoreFiltersTest, ConversionsFollowAnsible) {
  EXPECT_EQ(renderText("{{ 'yes' | bool }}{{ 'on' | bool }}{{ '1' | bool }}{{ 'foo' | bool }}"
                       "{{ 0 | bool }}|{{ none | bool }}|{{ 'True' | bool }}{{ [1] | bool }}"),
            "TrueTrueTrueFalseFalse||TrueFalse");
  EXPECT_EQ(
      renderText("{{ '0x1A' | int }} {{ '12' | int }} {{ '1.9' | int }} {{ 'abc' | int }} "
                 "{{ 3.7 | int }} {{ '0x1A' | int(base=16) }} {{ true | int }} {{ ' 42 ' | int }}"),
      "0 12 1 0 3 26 1 42");
  EXPECT_EQ(renderText("{{ '1.5' | float }} {{ 'x' | float }} {{ 2 | float }} {{ '1e3' | float }} "
                       "{{ 5 | string }} {{ none | string }}"),
            "1.5 0.0 2.0 1000.0 5 None");
}

TEST(CoreFiltersTest, SequencesAndChoices) {
  EXPECT_EQ(renderText("{{ 'h\xc3\xa9llo' | length }} {{ {'a': 1} | count }} {{ 'abc' | first }} "
                       "{{ [1, 2] | last }} {{ 'ab' | list }} {{ [1, 2] | join(',') }} "
                       "{{ [{'n': 'a'}, {'n': 'b'}] | join('+', attribute='n') }}"),
            "5 1 a 2 ['a', 'b'] 1,2 a+b");
  EXPECT_EQ(renderText("{{ true | ternary('a', 'b') }}{{ none | ternary('a', 'b', 'c') }}"
                       "{{ 0 | ternary('a', 'b') }}"),
            "acb");
  EXPECT_EQ(renderText("{{ -3 | abs }} {{ 2.5 | round }} {{ 3.14159 | round(2) }} "
                       "{{ 2.1 | round(0, 'ceil') }} {{ 7 | round }}"),
            "3 2.0 3.14 3.0 7");
}

}  // namespace
}  // namespace sc::controller::jinja
