// unifiedDiff: exact hunks, as diff -u would print them.
#include "common/text/diff.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>

namespace sc::text {
namespace {

std::string numbered(int from, int to, int changed_a = -1, int changed_b = -1) {
  std::string out;
  for (int i = from; i <= to; ++i) {
    out += (i == changed_a || i == changed_b) ? fmt::format("changed {}\n", i)
                                              : fmt::format("line {}\n", i);
  }
  return out;
}

struct DiffCase {
  std::string name;
  std::string before;
  std::string after;
  std::string expected;  // without the two header lines
};

TEST(DiffTest, ProducesExactHunks) {
  const DiffCase cases[] = {
      {"one line replaced", "a\nb\nc\n", "a\nB\nc\n", "@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"},
      {"line added at the end", "a\nb\n", "a\nb\nc\n", "@@ -1,2 +1,3 @@\n a\n b\n+c\n"},
      {"line removed at the start", "a\nb\nc\n", "b\nc\n", "@@ -1,3 +1,2 @@\n-a\n b\n c\n"},
      {"from empty", "", "a\nb\n", "@@ -0,0 +1,2 @@\n+a\n+b\n"},
      {"to empty", "a\n", "", "@@ -1,1 +0,0 @@\n-a\n"},
      {"no trailing newline on either side", "a\nb", "a\nc",
       "@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of "
       "file\n"},
      {"trailing newline added", "a\nb", "a\nb\n",
       "@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n"},
      {"context is three lines", numbered(1, 10, 5), numbered(1, 10),
       "@@ -2,7 +2,7 @@\n line 2\n line 3\n line 4\n-changed 5\n+line 5\n line 6\n line 7\n line "
       "8\n"},
      {"changes six lines apart share a hunk", numbered(1, 20, 5, 12), numbered(1, 20),
       "@@ -2,14 +2,14 @@\n line 2\n line 3\n line 4\n-changed 5\n+line 5\n line 6\n line 7\n "
       "line 8\n line 9\n line 10\n line 11\n-changed 12\n+line 12\n line 13\n line 14\n line "
       "15\n"},
      {"changes seven lines apart make two hunks", numbered(1, 20, 5, 13), numbered(1, 20),
       "@@ -2,7 +2,7 @@\n line 2\n line 3\n line 4\n-changed 5\n+line 5\n line 6\n line 7\n line "
       "8\n@@ -10,7 +10,7 @@\n line 10\n line 11\n line 12\n-changed 13\n+line 13\n line 14\n "
       "line 15\n line 16\n"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(unifiedDiff(c.before, c.after, "old", "new"), "--- old\n+++ new\n" + c.expected)
        << c.name;
  }
}

TEST(DiffTest, EqualTextGivesNothing) {
  EXPECT_EQ(unifiedDiff("", "", "a", "b"), "");
  EXPECT_EQ(unifiedDiff("same\n", "same\n", "a", "b"), "");
}

TEST(DiffTest, HugeRewritesAreSummarisedNotDiffed) {
  std::string before;
  std::string after;
  for (int i = 0; i < 3000; ++i) {
    before += "old " + std::to_string(i) + "\n";
    after += "new " + std::to_string(i) + "\n";
  }
  const std::string diff = unifiedDiff(before, after, "a", "b");
  EXPECT_EQ(diff, "--- a\n+++ b\n@@ too many changes to show: 3000 lines before, 3000 after @@\n");
}

TEST(DiffTest, ManyChangesBelowTheCapStillDiff) {
  std::string before;
  std::string after;
  for (int i = 0; i < 2000; ++i) {
    before += "line " + std::to_string(i) + "\n";
    after += (i % 4 == 0 ? "edited " : "line ") + std::to_string(i) + "\n";
  }
  const std::string diff = unifiedDiff(before, after, "a", "b");
  EXPECT_NE(diff.find("-line 0\n+edited 0\n"), std::string::npos);
  EXPECT_NE(diff.find("-line 1996\n+edited 1996\n"), std::string::npos);
}

}  // namespace
}  // namespace sc::text
