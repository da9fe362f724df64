// replace edits on FakeHost as Ansible's replace module makes them.
#include "agent/resources/replace.h"

#include <gtest/gtest.h>

#include "common/limits.h"
#include "tests/unit/unit_support.h"

namespace sc::testing {
namespace {

using agent::Outcome;
using nlohmann::json;

TEST(ReplaceTest, CasesMatchAnsible) {
  const std::string sections = "[a]\nk=1\n[b]\nk=1\n[c]\nk=1\n";
  checkEdits(
      "replace",
      {
          {"every match, multiline", json{{"regexp", "^port = \\d+$"}, {"replace", "port = 8080"}},
           "port = 80\nhost = x\nport = 81\n", "port = 8080\nhost = x\nport = 8080\n"},
          {"numbered backreferences",
           json{{"regexp", "^(\\w+) = (\\d+)$"}, {"replace", "\\1: \\2"}}, "a = 1\nb = 2\n",
           "a: 1\nb: 2\n"},
          {"\\g<n> backreferences",
           json{{"regexp", "^(\\w+) = (\\d+)$"}, {"replace", "\\g<2>0 = \\g<1>"}}, "a = 1\n",
           "10 = a\n"},
          {"escaped backslash and newline in the replacement",
           json{{"regexp", "X"}, {"replace", "\\\\\\n"}}, "aXb\n", "a\\\nb\n"},
          {"empty replacement deletes", json{{"regexp", "^#.*\\n"}}, "a\n# c\nb\n# d\n", "a\nb\n"},
          {"no match changes nothing", json{{"regexp", "^zzz"}, {"replace", "y"}}, "a\n", "a\n",
           Outcome::Ok},
          {"after and before bound the section",
           json{{"regexp", "^k=1$"},
                {"replace", "k=2"},
                {"after", "\\[b\\]"},
                {"before", "\\[c\\]"}},
           sections, "[a]\nk=1\n[b]\nk=2\n[c]\nk=1\n"},
          {"after alone runs to the end",
           json{{"regexp", "^k=1$"}, {"replace", "k=2"}, {"after", "\\[b\\]"}}, sections,
           "[a]\nk=1\n[b]\nk=2\n[c]\nk=2\n"},
          {"before alone runs from the start",
           json{{"regexp", "^k=1$"}, {"replace", "k=2"}, {"before", "\\[b\\]"}}, sections,
           "[a]\nk=2\n[b]\nk=1\n[c]\nk=1\n"},
          {"a missing section changes nothing",
           json{{"regexp", "^k=1$"}, {"replace", "k=2"}, {"after", "\\[zzz\\]"}}, sections,
           sections, Outcome::Ok},
          {"a missing file fails", json{{"regexp", "a"}}, std::nullopt, "<missing>",
           Outcome::Failed},
      });
}

TEST(ReplaceTest, BadParametersAreRefusedAtPlan) {
  const std::pair<json, std::string> cases[] = {
      {json::object(), "regexp"},
      {json{{"regexp", "(a)"}, {"replace", "\\2"}}, "replace"},
      {json{{"regexp", "(a)"}, {"replace", "\\g<name>"}}, "replace"},
      {json{{"regexp", "(?P<n>a)"}}, "regexp"},
      {json{{"regexp", "a"}, {"after", "(?<=x)"}}, "after"},
      {json{{"regexp", "a"}, {"encoding", "latin-1"}}, "encoding"},
  };
  for (const auto& [params, parameter] : cases) {
    json full = params;
    full["path"] = "/etc/app.conf";
    expectRefusedAt("replace", full, parameter);
  }
}

// std::regex recurses once per character a repetition consumes; a section
// found with one pattern spanning the file used to crash the agent on a
// 60 KB file. Sections and edits of large files must work, and files over
// the regex cap are refused, not crashed on.
TEST(ReplaceTest, LargeFilesWithSectionsDoNotExhaustTheStack) {
  std::string big = "start\n";
  for (int i = 0; i < 200000; ++i) big += "x = 1\n";
  big += "end\n";
  const EditRun run = runEdit(
      "replace",
      json{{"regexp", "^x = 1$"}, {"replace", "x = 2"}, {"after", "start"}, {"before", "end"}},
      big);
  EXPECT_EQ(run.outcome, agent::Outcome::Changed) << run.message;
  EXPECT_EQ(run.content.find("x = 1"), std::string::npos);
  EXPECT_EQ(run.content.size(), big.size());
  const EditRun spanning =
      runEdit("replace", json{{"regexp", "start[\\s\\S]*end"}, {"replace", "all"}}, big);
  EXPECT_EQ(spanning.outcome, agent::Outcome::Changed) << spanning.message;
  EXPECT_EQ(spanning.content, "all\n");
}

TEST(ReplaceTest, FilesOverTheRegexCapAreRefused) {
  const std::string huge(limits::kMaxRegexSubjectBytes + 1, 'x');
  const EditRun run = runEdit("replace", json{{"regexp", "x"}, {"replace", "y"}}, huge);
  EXPECT_EQ(run.outcome, agent::Outcome::Failed);
  EXPECT_EQ(run.reason, "too_large");
  EXPECT_EQ(run.content, huge);
}

}  // namespace
}  // namespace sc::testing
