// The Python string operations the fact ports are written with: each
// expectation is what CPython 3.11 returns for the same call.
#include "agent/facts/python_text.h"

#include <gtest/gtest.h>

namespace sc::testing {
namespace {

namespace py = agent::py;
using Strings = std::vector<std::string>;

TEST(PythonTextTest, StripAndSplit) {
  EXPECT_EQ(py::strip(" \t\v\f x y \r\n"), "x y");
  EXPECT_EQ(py::strip("\"'quoted\\'\"", "'\"\\"), "quoted");
  EXPECT_EQ(py::strip("   "), "");
  EXPECT_EQ(py::rstrip("12.5\n"), "12.5");
  EXPECT_EQ(py::split("  a \t b\nc  "), (Strings{"a", "b", "c"}));
  EXPECT_EQ(py::split(""), Strings{});
  EXPECT_EQ(py::split("7.9.2009", "."), (Strings{"7", "9", "2009"}));
  EXPECT_EQ(py::split("", "."), Strings{""});
  EXPECT_EQ(py::split("a::b", ":"), (Strings{"a", "", "b"}));
  EXPECT_EQ(py::splitOnce("k: v: w", ':'), (Strings{"k", " v: w"}));
  EXPECT_EQ(py::splitOnce("no colon", ':'), Strings{"no colon"});
}

TEST(PythonTextTest, SplitLinesLikeStrSplitlines) {
  EXPECT_EQ(py::splitLines("a\nb\r\nc\rd\n"), (Strings{"a", "b", "c", "d"}));
  EXPECT_EQ(py::splitLines("a\n\nb"), (Strings{"a", "", "b"}));
  EXPECT_EQ(py::splitLines(""), Strings{});
  EXPECT_EQ(py::splitLines("x\x1cy\fz"), (Strings{"x", "y", "z"}));
}

TEST(PythonTextTest, CaseAndTests) {
  EXPECT_EQ(py::capitalize("amzn"), "Amzn");
  EXPECT_EQ(py::capitalize("rHEL"), "Rhel");
  EXPECT_EQ(py::capitalize(""), "");
  EXPECT_EQ(py::lower("Red Hat"), "red hat");
  EXPECT_TRUE(py::isDigits("2023"));
  EXPECT_FALSE(py::isDigits("2023.1"));
  EXPECT_FALSE(py::isDigits(""));
  EXPECT_EQ(py::basename("/lib/systemd/systemd"), "systemd");
  EXPECT_EQ(py::basename("init"), "init");
  EXPECT_EQ(py::join({"eu", "example", "org"}, "."), "eu.example.org");
}

TEST(PythonTextTest, SearchGivesGroupsAndUnmatchedGroups) {
  const auto m = py::search(R"(\((\D+)\)|,\s*(\D+))", "7.9, Maipo");
  ASSERT_TRUE(m.has_value());
  ASSERT_EQ(m->size(), 3u);
  EXPECT_FALSE((*m)[1].has_value());
  EXPECT_EQ((*m)[2], "Maipo");
  EXPECT_FALSE(py::search("^NAME=(.*)", "PRETTY_NAME=x").has_value());
  EXPECT_TRUE(py::search("NAME=(.*)", "PRETTY_NAME=x").has_value());
  EXPECT_FALSE(py::search("release", "x-release", /*anchored=*/true).has_value());
  EXPECT_FALSE(py::search("a", std::string(9000, 'a')).has_value()) << "over the size cap";
  EXPECT_EQ(py::findAll(R"(\w+[.]\w+\+?)", "Slackware 15.0+ and 14.2"), (Strings{"15.0+", "14.2"}));
}

TEST(PythonTextTest, ShlexSplitPosixWithWhitespaceSplit) {
  EXPECT_EQ(py::shlexSplit("NAME=\"Foo Bar\"\nID=foo # comment\n# line\nX=a\\ b\n"),
            (Strings{"NAME=Foo Bar", "ID=foo", "X=a b"}));
  EXPECT_EQ(py::shlexSplit("C=val#ue D=\"\"\nE=''\n"), (Strings{"C=val", "E="}));
  EXPECT_EQ(py::shlexSplit("F=one\\\ntwo\n"), Strings{"F=one\ntwo"});
  EXPECT_EQ(py::shlexSplit("I=x\"y z\"w\n"), Strings{"I=xy zw"});
  EXPECT_EQ(py::shlexSplit("'' \"\""), (Strings{"", ""}));
  EXPECT_EQ(py::shlexSplit("A=1 B=\"unclosed"), Strings{"A=1"});
  EXPECT_EQ(py::shlexSplit("A=1 trailing\\"), Strings{"A=1"});
  EXPECT_EQ(py::shlexSplit(""), Strings{});
}

}  // namespace
}  // namespace sc::testing
