// lineinfile edits on FakeHost, case by case as Ansible's lineinfile module
// makes them; each case also checks a second run changes nothing.
#include "agent/resources/line_in_file.h"

#include <gtest/gtest.h>

#include "tests/unit/unit_support.h"

namespace sc::testing {
namespace {

using agent::Outcome;
using nlohmann::json;

TEST(LineInFileTest, PresentCasesMatchAnsible) {
  const std::string ini = "[main]\nx=1\n[other]\ny=2\n";
  checkEdits(
      "lineinfile",
      {
          {"regexp replaces the last match", json{{"regexp", "^a="}, {"line", "a=9"}},
           "a=1\nb=2\na=3\n", "a=1\nb=2\na=9\n"},
          {"firstmatch replaces the first match",
           json{{"regexp", "^a="}, {"line", "a=9"}, {"firstmatch", true}}, "a=1\nb=2\na=3\n",
           "a=9\nb=2\na=3\n"},
          {"regexp matching the line already", json{{"regexp", "^a="}, {"line", "a=3"}}, "a=3\n",
           "a=3\n", Outcome::Ok},
          {"line already present", json{{"line", "b=2"}}, "a=1\nb=2\n", "a=1\nb=2\n", Outcome::Ok},
          {"no regexp match but the exact line exists", json{{"regexp", "^x="}, {"line", "a=1"}},
           "a=1\n", "a=1\n", Outcome::Ok},
          {"appended at EOF by default", json{{"line", "c=3"}}, "a=1\n", "a=1\nc=3\n"},
          {"appended after a last line without newline", json{{"line", "c=3"}}, "a=1",
           "a=1\nc=3\n"},
          {"insertafter EOF", json{{"line", "c=3"}, {"insertafter", "EOF"}}, "a=1\n", "a=1\nc=3\n"},
          {"insertafter regex", json{{"line", "z=3"}, {"insertafter", "^\\[main\\]"}}, ini,
           "[main]\nz=3\nx=1\n[other]\ny=2\n"},
          {"insertafter regex uses the last match",
           json{{"line", "z=3"}, {"insertafter", "^\\[main\\]"}}, "[main]\nx=1\n[main]\ny=2\n",
           "[main]\nx=1\n[main]\nz=3\ny=2\n"},
          {"insertafter regex with firstmatch",
           json{{"line", "z=3"}, {"insertafter", "^\\[main\\]"}, {"firstmatch", true}},
           "[main]\nx=1\n[main]\ny=2\n", "[main]\nz=3\nx=1\n[main]\ny=2\n"},
          {"insertafter the last line", json{{"line", "z=3"}, {"insertafter", "^y="}}, ini,
           "[main]\nx=1\n[other]\ny=2\nz=3\n"},
          {"insertafter without a match appends",
           json{{"line", "z=3"}, {"insertafter", "^\\[none\\]"}}, ini, ini + "z=3\n"},
          {"insertbefore regex", json{{"line", "z=3"}, {"insertbefore", "^\\[other\\]"}}, ini,
           "[main]\nx=1\nz=3\n[other]\ny=2\n"},
          {"insertbefore BOF", json{{"line", "z=3"}, {"insertbefore", "BOF"}}, ini, "z=3\n" + ini},
          {"regexp without a match falls back to insertbefore",
           json{{"regexp", "^port="}, {"line", "port=80"}, {"insertbefore", "^\\[other\\]"}}, ini,
           "[main]\nx=1\nport=80\n[other]\ny=2\n"},
          {"search_string replaces the line holding it",
           json{{"search_string", "port"}, {"line", "port=8080"}}, "a\nport=80\nb\n",
           "a\nport=8080\nb\n"},
          {"backrefs fill in groups",
           json{{"regexp", "^(\\w+)=(\\d+)$"}, {"line", "\\1=[\\2]"}, {"backrefs", true}},
           "a=1\nb=x\n", "a=[1]\nb=x\n"},
          {"backrefs with \\g<n>",
           json{{"regexp", "^(\\w+)=(\\d+)$"}, {"line", "\\g<2>=\\g<1>"}, {"backrefs", true}},
           "a=1\n", "1=a\n"},
          {"backrefs without a match leave the file unchanged",
           json{{"regexp", "^nomatch=(.*)$"}, {"line", "x=\\1"}, {"backrefs", true}}, "a=1\n",
           "a=1\n", Outcome::Ok},
          {"create makes the file", json{{"line", "only"}, {"create", true}}, std::nullopt,
           "only\n"},
          {"missing file without create fails", json{{"line", "only"}}, std::nullopt, "<missing>",
           Outcome::Failed},
      });
}

TEST(LineInFileTest, AbsentCasesMatchAnsible) {
  checkEdits("lineinfile",
             {
                 {"regexp removes every match", json{{"regexp", "^a="}, {"state", "absent"}},
                  "a=1\nb=2\na=3\n", "b=2\n"},
                 {"line removes every exact copy", json{{"line", "b=2"}, {"state", "absent"}},
                  "a=1\nb=2\nb=2\nb=22\n", "a=1\nb=22\n"},
                 {"search_string removes lines holding it",
                  json{{"search_string", "=2"}, {"state", "absent"}}, "a=1\nb=2\nc=22\n", "a=1\n"},
                 {"nothing to remove", json{{"regexp", "^z="}, {"state", "absent"}}, "a=1\n",
                  "a=1\n", Outcome::Ok},
                 {"a missing file is fine", json{{"line", "x"}, {"state", "absent"}}, std::nullopt,
                  "<missing>", Outcome::Ok},
             });
}

TEST(LineInFileTest, MissingFileFailsNamingCreate) {
  const EditRun run = runEdit("lineinfile", json{{"line", "x"}}, std::nullopt);
  EXPECT_EQ(run.outcome, Outcome::Failed);
  EXPECT_EQ(run.reason, "not_found");
  EXPECT_NE(run.message.find("set create: true"), std::string::npos) << run.message;
}

struct BadCase {
  json params;
  std::string parameter;
  std::string message_part;
};

TEST(LineInFileTest, BadParametersAreRefusedAtPlan) {
  const BadCase cases[] = {
      {json{{"regexp", "(?P<key>a)"}, {"line", "x"}}, "regexp", "(?P<"},
      {json{{"line", "x"}, {"insertafter", "(?<=a)b"}}, "insertafter", "(?<="},
      {json{{"regexp", "a"}, {"search_string", "a"}, {"line", "x"}}, "search_string",
       "mutually exclusive"},
      {json{{"line", "x"}, {"insertafter", "a"}, {"insertbefore", "b"}}, "insertbefore",
       "mutually exclusive"},
      {json{{"regexp", "a"}}, "line", "is required with state present"},
      {json{{"state", "absent"}}, "line", "one of line, regexp or search_string"},
      {json{{"line", "x"}, {"backrefs", true}}, "backrefs", "needs regexp"},
      {json{{"line", "x"}, {"regexp", ""}}, "regexp", "would match every line"},
      {json{{"regexp", "(a)"}, {"line", "\\2"}, {"backrefs", true}}, "line",
       "refers to group 2, but the pattern has 1"},
      {json{{"line", "x"}, {"state", "gone"}}, "state", "unknown state 'gone'"},
  };
  for (const auto& c : cases) {
    json params = c.params;
    params["path"] = "/etc/app.conf";
    const auto m = makeManifest({makeSpec("edit", "lineinfile", params)});
    auto plan = planFor(m);
    ASSERT_FALSE(plan.has_value()) << params.dump();
    EXPECT_EQ(plan.error().code(), ErrorCode::Schema) << params.dump();
    EXPECT_EQ(plan.error().where(), "/resources/0/params/" + c.parameter) << params.dump();
    EXPECT_NE(plan.error().message().find(c.message_part), std::string::npos)
        << plan.error().message();
  }
}

}  // namespace
}  // namespace sc::testing
