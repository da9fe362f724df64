// key=value argument strings split as Ansible splits them. The expected
// values were produced by Ansible 2.14's own parser (parse_kv) for these
// inputs; kv_args_differential_test compares thousands of generated strings
// with it directly.
#include "controller/playbook/kv_args.h"

#include <gtest/gtest.h>

namespace sc::controller::playbook {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

struct Case {
  std::string input;
  Pairs options;    // free_form = false
  Pairs free_form;  // free_form = true
};

class KeyValueArgs : public ::testing::TestWithParam<Case> {};

TEST_P(KeyValueArgs, SplitsAsAnsible) {
  const Case& c = GetParam();
  auto options = parseKeyValueArgs(c.input, false);
  ASSERT_TRUE(options) << options.error().message();
  EXPECT_EQ(*options, c.options);
  auto free_form = parseKeyValueArgs(c.input, true);
  ASSERT_TRUE(free_form) << free_form.error().message();
  EXPECT_EQ(*free_form, c.free_form);
}

INSTANTIATE_TEST_SUITE_P(
    AnsibleTable, KeyValueArgs,
    ::testing::Values(
        Case{"name=nginx state=present",
             {{"name", "nginx"}, {"state", "present"}},
             {{"_raw_params", "name=nginx state=present"}}},
        Case{"a=\"b c\" d=e", {{"a", "b c"}, {"d", "e"}}, {{"_raw_params", "a=\"b c\" d=e"}}},
        Case{"msg='x y' foo",
             {{"msg", "x y"}, {"_raw_params", "foo"}},
             {{"_raw_params", "msg='x y' foo"}}},
        Case{"echo {{ a }} b",
             {{"_raw_params", "echo {{ a }} b"}},
             {{"_raw_params", "echo {{ a }} b"}}},
        Case{"x=1\ny=2", {{"x", "1"}, {"y", "2"}}, {{"_raw_params", "x=1\ny=2"}}},
        Case{"a=b\\ c", {{"a", "b\\"}, {"_raw_params", "c"}}, {{"_raw_params", "a=b\\ c"}}},
        Case{"=a", {{"_raw_params", "=a"}}, {{"_raw_params", "=a"}}},
        Case{"a\\=b c", {{"_raw_params", "a=b c"}}, {{"_raw_params", "a=b c"}}},
        Case{"k=v\\tw", {{"k", "v\tw"}}, {{"_raw_params", "k=v\\tw"}}},
        Case{"creates=/x echo hi",
             {{"creates", "/x"}, {"_raw_params", "echo hi"}},
             {{"creates", "/x"}, {"_raw_params", "echo hi"}}},
        Case{"x=\"a\\\"b\"", {{"x", "a\"b"}}, {{"_raw_params", "x=\"a\\\"b\""}}},
        Case{"a  b", {{"_raw_params", "a  b"}}, {{"_raw_params", "a  b"}}},
        Case{"x={{ y | default(\"a b\") }} z",
             {{"x", "{{ y | default(\"a b\") }}"}, {"_raw_params", "z"}},
             {{"_raw_params", "x={{ y | default(\"a b\") }} z"}}},
        Case{"a=1 a=2 b=3", {{"a", "2"}, {"b", "3"}}, {{"_raw_params", "a=1 a=2 b=3"}}},
        Case{"src=a.j2 dest=/etc/x mode=0644",
             {{"src", "a.j2"}, {"dest", "/etc/x"}, {"mode", "0644"}},
             {{"_raw_params", "src=a.j2 dest=/etc/x mode=0644"}}},
        Case{"line='  indented' path=/x",
             {{"line", "  indented"}, {"path", "/x"}},
             {{"_raw_params", "line='  indented' path=/x"}}},
        Case{"k=v\\x41", {{"k", "vA"}}, {{"_raw_params", "k=v\\x41"}}},
        Case{"k=\\101", {{"k", "\\101"}}, {{"_raw_params", "k=\\101"}}},
        Case{"echo \"a  b\" \\\n c",
             {{"_raw_params", "echo \"a  b\" c"}},
             {{"_raw_params", "echo \"a  b\" c"}}},
        Case{"chdir=/tmp make  all",
             {{"chdir", "/tmp"}, {"_raw_params", "make  all"}},
             {{"chdir", "/tmp"}, {"_raw_params", "make  all"}}}));

TEST(KeyValueArgsErrors, UnbalancedQuotesAndBlocksAreRefused) {
  for (const char* input : {"a='b", "x={{ y", "x={% if %} a=\"", "  a"}) {
    auto parsed = parseKeyValueArgs(input, false);
    ASSERT_FALSE(parsed) << input;
    EXPECT_EQ(parsed.error().code(), ErrorCode::InvalidArgument);
  }
}

TEST(KeyValueArgsErrors, NamedUnicodeEscapesAreRefusedNotMisread) {
  auto parsed = parseKeyValueArgs("k=\\N{BULLET}", false);
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message().find("\\N{"), std::string::npos);
}

TEST(SplitArgs, KeepsJinjaBlocksAndQuotesTogether) {
  auto words = splitArgs("a={{ b | join(' ') }} c=\"d e\" {% if x %}y{% endif %}");
  ASSERT_TRUE(words);
  EXPECT_EQ(*words, (std::vector<std::string>{"a={{ b | join(' ') }}", "c=\"d e\"",
                                              "{% if x %}y{% endif %}"}));
}

}  // namespace
}  // namespace sc::controller::playbook
