// Python regular expressions on std::regex: what translates, what is
// refused, and Python replacement templates.
#include "common/text/python_regex.h"

#include <gtest/gtest.h>

namespace sc {
namespace {

TEST(PythonRegexTest, RefusesPythonOnlySyntax) {
  const std::pair<std::string, std::string> cases[] = {
      {"(?P<name>x)", "(?P<"}, {"(?P<a>x)(?P=a)", "(?P<"}, {"(?<=a)b", "(?<="},
      {"(?<!a)b", "(?<!"},     {"\\Aabc", "\\A"},          {"abc\\Z", "\\Z"},
      {"a(?#comment)", "(?#"}, {"a(?i)b", "(?i)"},         {"(?x)a b", "(?x)"},
  };
  for (const auto& [pattern, construct] : cases) {
    auto re = compilePythonRegex(pattern, false);
    ASSERT_FALSE(re.has_value()) << pattern;
    EXPECT_EQ(re.error().code(), ErrorCode::Schema);
    EXPECT_EQ(re.error().message(),
              fmt::format("'{}' in '{}' is Python regex syntax the agent does not support",
                          construct, pattern));
  }
  auto dotall = compilePythonRegex("(?s)a.b", false);
  ASSERT_FALSE(dotall.has_value());
  EXPECT_EQ(dotall.error().message(), "'(?s)' is not supported in '(?s)a.b'");
  auto broken = compilePythonRegex("(unclosed", false);
  ASSERT_FALSE(broken.has_value());
  EXPECT_EQ(broken.error().code(), ErrorCode::Schema);
  EXPECT_EQ(broken.error().message().rfind("bad regular expression '(unclosed': ", 0), 0u);
}

TEST(PythonRegexTest, LeadingInlineFlagsAndMultiline) {
  auto icase = compilePythonRegex("(?i)^listen", false);
  ASSERT_TRUE(icase.has_value());
  EXPECT_TRUE(std::regex_search(std::string("LISTEN 80"), icase->re));
  EXPECT_FALSE(icase->multiline);

  auto inline_m = compilePythonRegex("(?m)^b", false);
  ASSERT_TRUE(inline_m.has_value());
  EXPECT_TRUE(inline_m->multiline);
  EXPECT_TRUE(std::regex_search(std::string("a\nb"), inline_m->re));

  auto single = compilePythonRegex("^b", false);
  ASSERT_TRUE(single.has_value());
  EXPECT_FALSE(std::regex_search(std::string("a\nb"), single->re));

  auto multi = compilePythonRegex("^b$", true);
  ASSERT_TRUE(multi.has_value());
  EXPECT_TRUE(std::regex_search(std::string("a\nb\nc"), multi->re));
}

std::string expand(const std::string& pattern, const std::string& subject,
                   const std::string& templ) {
  const std::regex re(pattern);
  std::smatch match;
  EXPECT_TRUE(std::regex_search(subject, match, re)) << pattern << " on " << subject;
  return expandPythonTemplate(templ, match);
}

TEST(PythonRegexTest, ExpandsPythonTemplates) {
  const std::string kv = "(\\w+)=(\\w+)";
  EXPECT_EQ(expand(kv, "key=value", "\\2=\\1"), "value=key");
  EXPECT_EQ(expand(kv, "key=value", "\\g<1>0"), "key0");
  EXPECT_EQ(expand(kv, "key=value", "\\g<2>"), "value");
  // Two digits only when the group exists: \10 is group 1, then '0'.
  EXPECT_EQ(expand(kv, "key=value", "\\10"), "key0");
  EXPECT_EQ(expand("(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)", "abcdefghijk", "\\11"), "k");
  EXPECT_EQ(expand(kv, "key=value", "a\\\\b"), "a\\b");
  EXPECT_EQ(expand(kv, "key=value", "\\\\1"), "\\1");
  EXPECT_EQ(expand(kv, "key=value", "x\\ny\\tz\\r"), "x\ny\tz\r");
  EXPECT_EQ(expand(kv, "key=value", "plain"), "plain");
  EXPECT_EQ(expand(kv, "key=value", "trailing\\"), "trailing\\");
  EXPECT_EQ(expand("(a)(x)?", "a", "[\\2]"), "[]");  // unmatched group: empty
}

TEST(PythonRegexTest, TemplatesMayOnlyReferToExistingNumberedGroups) {
  const std::regex two("(a)(b)");
  EXPECT_TRUE(checkPythonTemplate("\\1\\2\\g<2>\\\\3", two).has_value());
  const std::pair<std::string, std::string> bad[] = {
      {"\\3", "the replacement refers to group 3, but the pattern has 2"},
      {"\\g<3>", "the replacement refers to group 3, but the pattern has 2"},
      {"\\g<name>", "'\\g<name>': only numbered groups are supported"},
      {"\\g<1", "'\\g<>': only numbered groups are supported"},
      {"\\g<>", "'\\g<>': only numbered groups are supported"},
  };
  for (const auto& [templ, message] : bad) {
    auto checked = checkPythonTemplate(templ, two);
    ASSERT_FALSE(checked.has_value()) << templ;
    EXPECT_EQ(checked.error().code(), ErrorCode::Schema);
    EXPECT_EQ(checked.error().message(), message) << templ;
  }
}

}  // namespace
}  // namespace sc
