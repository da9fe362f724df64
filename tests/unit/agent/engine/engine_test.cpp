// Engine semantics on FakeHost: handlers (once per flush, flush_handlers,
// persisted when they fail), when / changed_when / failed_when / register,
// tags and skip_tags (always, never), on_failure and ignore_errors, blocks
// with rescue and always parts.
#include "agent/engine/engine.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/support/test_tree.h"
#include "tests/unit/unit_support.h"

namespace sc::testing {
namespace {

using agent::Outcome;
using nlohmann::json;

// A FakeHost whose commands answer from their argv: "fail" exits 1 with
// stderr "boom", "echo X" prints X, "repair" empties failing_, anything
// else exits 0. Every command run is recorded by its first two words.
class EngineTest : public ::testing::Test {
 protected:
  EngineTest() {
    host_.setCommandScript([this](const agent::Command& command, FakeHost&) {
      std::string words = command.argv.at(0);
      if (command.argv.size() > 1) words += " " + command.argv[1];
      ran_.push_back(words);
      if (command.argv[0] == "repair") failing_.clear();
      if (command.argv[0] == "fail" || failing_.contains(words)) {
        return agent::CommandResult{1, "", "boom\n", false};
      }
      if (command.argv[0] == "echo" && command.argv.size() > 1) {
        return agent::CommandResult{0, command.argv[1] + "\n", "", false};
      }
      return agent::CommandResult{0, "", "", false};
    });
  }

  static manifest::ResourceSpec cmd(const std::string& id, std::vector<std::string> argv,
                                    std::vector<std::string> notify = {}) {
    auto spec = makeSpec(id, "command", json{{"argv", std::move(argv)}});
    spec.notify = std::move(notify);
    return spec;
  }
  static manifest::ResourceSpec debugVar(const std::string& id, const std::string& var) {
    return makeSpec(id, "debug", json{{"var", var}});
  }
  static manifest::ResourceSpec withTags(manifest::ResourceSpec spec,
                                         std::vector<std::string> tags) {
    spec.tags = std::move(tags);
    return spec;
  }
  static manifest::ResourceSpec failing(const std::string& id, const std::string& msg = "boom") {
    return makeSpec(id, "fail", json{{"msg", msg}});
  }
  // `spec` inside `sections`, outermost first.
  static manifest::ResourceSpec in(std::vector<manifest::BlockSection> sections,
                                   manifest::ResourceSpec spec) {
    spec.block = std::move(sections);
    return spec;
  }
  static manifest::BlockSection block(const std::string& id) {
    return {id, manifest::BlockPart::Block};
  }
  static manifest::BlockSection rescue(const std::string& id) {
    return {id, manifest::BlockPart::Rescue};
  }
  static manifest::BlockSection always(const std::string& id) {
    return {id, manifest::BlockPart::Always};
  }
  static manifest::Condition condition(const json& node) {
    auto parsed = manifest::parseCondition(node, "/test");
    EXPECT_TRUE(parsed.has_value()) << node.dump();
    return parsed ? *parsed : manifest::Condition{};
  }

  const agent::ResourceReport* find(const agent::RunReport& report, const std::string& id) {
    for (const auto& r : report.resources) {
      if (r.id == id) return &r;
    }
    ADD_FAILURE() << "no report for '" << id << "'";
    return nullptr;
  }

  FakeHost host_;
  std::vector<std::string> ran_;
  std::set<std::string> failing_;
};

TEST_F(EngineTest, HandlerRunsOnceAtTheEndHoweverManyNotifyIt) {
  auto quiet = cmd("c3", {"step", "3"}, {"h"});
  quiet.changed_when = condition(false);
  const auto m =
      makeManifest({cmd("c1", {"step", "1"}, {"h"}), cmd("c2", {"step", "2"}, {"h"}), quiet},
                   {cmd("h", {"reload", "nginx"}), cmd("unused", {"never", "run"})});
  const auto report = runManifest(host_, m);
  EXPECT_EQ(ran_, (std::vector<std::string>{"step 1", "step 2", "step 3", "reload nginx"}));
  EXPECT_EQ(outcomes(report),
            (std::vector<std::string>{"c1=changed", "c2=changed", "c3=ok", "h=changed"}));
  EXPECT_TRUE(report.resources.back().handler);
  EXPECT_FALSE(report.resources.front().handler);
}

TEST_F(EngineTest, UnchangedResourcesDoNotNotify) {
  host_.addFile("/done", "");
  auto skipped = makeSpec("c1", "command", json{{"argv", {"step", "1"}}, {"creates", "/done"}});
  skipped.notify = {"h"};
  const auto m = makeManifest({skipped}, {cmd("h", {"reload", "nginx"})});
  const auto report = runManifest(host_, m);
  EXPECT_TRUE(ran_.empty());
  EXPECT_EQ(outcomes(report), (std::vector<std::string>{"c1=ok"}));
}

TEST_F(EngineTest, HandlersNotifiedByHandlersRunInTheSameFlush) {
  // h2 is defined before h, so it needs a second pass.
  const auto m =
      makeManifest({cmd("c1", {"step", "1"}, {"h"})},
                   {cmd("h2", {"second", "handler"}), cmd("h", {"first", "handler"}, {"h2"})});
  const auto report = runManifest(host_, m);
  EXPECT_EQ(ran_, (std::vector<std::string>{"step 1", "first handler", "second handler"}));
  EXPECT_EQ(outcomes(report), (std::vector<std::string>{"c1=changed", "h=changed", "h2=changed"}));
}

TEST_F(EngineTest, FlushHandlersRunsThemEarly) {
  const auto m = makeManifest({cmd("c1", {"step", "1"}, {"h"}),
                               makeSpec("flush", "meta", json{{"action", "flush_handlers"}}),
                               cmd("c2", {"step", "2"}), cmd("c3", {"step", "3"}, {"h"})},
                              {cmd("h", {"reload", "nginx"})});
  const auto report = runManifest(host_, m);
  EXPECT_EQ(ran_, (std::vector<std::string>{"step 1", "reload nginx", "step 2", "step 3",
                                            "reload nginx"}));
  EXPECT_EQ(outcomes(report), (std::vector<std::string>{"c1=changed", "h=changed", "c2=changed",
                                                        "c3=changed", "h=changed"}));
}

TEST_F(EngineTest, FailedHandlerStaysPendingInTheStateDirAndRunsNextTime) {
  TempDir temp;
  auto state = agent::StateDir::open(temp.path() / "state");
  ASSERT_TRUE(state.has_value()) << state.error().describe();
  auto trigger = makeSpec("c1", "command", json{{"argv", {"step", "1"}}, {"creates", "/done"}});
  trigger.notify = {"h"};
  const auto m = makeManifest({trigger, cmd("c2", {"step", "2"})}, {cmd("h", {"reload", "nginx"})});

  failing_ = {"reload nginx"};
  const auto first = runManifest(host_, m, {}, &*state);
  EXPECT_EQ(outcomes(first), (std::vector<std::string>{"c1=changed", "c2=changed", "h=failed"}));
  auto pending = state->loadPending();
  ASSERT_TRUE(pending.has_value());
  EXPECT_EQ(*pending, (std::set<std::string>{"h"}));

  // Second run: nothing notifies (c1's file exists), the owed handler runs.
  failing_.clear();
  ran_.clear();
  host_.addFile("/done", "");
  const auto second = runManifest(host_, m, {}, &*state);
  EXPECT_EQ(ran_, (std::vector<std::string>{"step 2", "reload nginx"}));
  EXPECT_EQ(outcomes(second), (std::vector<std::string>{"c1=ok", "c2=changed", "h=changed"}));
  pending = state->loadPending();
  ASSERT_TRUE(pending.has_value());
  EXPECT_TRUE(pending->empty());

  // Third run: nothing owed any more.
  ran_.clear();
  const auto third = runManifest(host_, m, {}, &*state);
  EXPECT_EQ(ran_, (std::vector<std::string>{"step 2"}));
}

TEST_F(EngineTest, PendingNotificationsOfUnknownHandlersAreDropped) {
  TempDir temp;
  auto state = agent::StateDir::open(temp.path() / "state");
  ASSERT_TRUE(state.has_value());
  ASSERT_TRUE(state->savePending({"gone", "h"}).has_value());
  const auto m = makeManifest({}, {cmd("h", {"reload", "nginx"})});
  const auto report = runManifest(host_, m, {}, &*state);
  EXPECT_EQ(ran_, (std::vector<std::string>{"reload nginx"}));
  EXPECT_EQ(*state->loadPending(), std::set<std::string>{});
}

TEST_F(EngineTest, WhenAndRegister) {
  auto echo = cmd("echo", {"echo", "hi"});
  echo.register_as = "out";
  auto shown = debugVar("shown", "out.stdout");
  shown.when = condition(json{{"field", "out.rc"}, {"op", "eq"}, {"value", 0}});
  auto skipped = cmd("skipped", {"step", "x"});
  skipped.when = condition(json{{"field", "out.stdout"}, {"op", "ne"}, {"value", "hi"}});
  auto missing = cmd("missing", {"step", "y"});
  missing.when = condition(json{{"field", "nope.rc"}, {"op", "eq"}, {"value", 0}});
  missing.register_as = "m";
  const auto m =
      makeManifest({echo, shown, skipped, missing, debugVar("changed", "out.changed"),
                    debugVar("lines", "out.stdout_lines"), debugVar("was_skipped", "m.skipped")});
  const auto report = runManifest(host_, m);
  EXPECT_EQ(ran_, (std::vector<std::string>{"echo hi"}));
  EXPECT_EQ(outcomes(report), (std::vector<std::string>{
                                  "echo=changed", "shown=ok", "skipped=skipped", "missing=skipped",
                                  "changed=ok", "lines=ok", "was_skipped=ok"}));
  EXPECT_EQ(find(report, "shown")->message, "out.stdout = \"hi\"");
  EXPECT_EQ(find(report, "skipped")->message, "condition false");
  EXPECT_EQ(find(report, "changed")->message, "out.changed = true");
  EXPECT_EQ(find(report, "lines")->message, "out.stdout_lines = [\"hi\"]");
  EXPECT_EQ(find(report, "was_skipped")->message, "m.skipped = true");
}

TEST_F(EngineTest, ChangedWhen) {
  auto never = cmd("never", {"step", "1"}, {"h"});
  never.changed_when = condition(false);
  auto by_output = cmd("by_output", {"echo", "updated 3"});
  by_output.register_as = "r";
  by_output.changed_when =
      condition(json{{"field", "r.stdout"}, {"op", "search"}, {"value", "^updated"}});
  auto not_updated = cmd("not_updated", {"echo", "nothing"});
  not_updated.register_as = "r2";
  not_updated.changed_when =
      condition(json{{"field", "r2.stdout"}, {"op", "search"}, {"value", "^updated"}});
  auto always = debugVar("always", "r.rc");
  always.changed_when = condition(true);
  const auto m =
      makeManifest({never, by_output, not_updated, always, debugVar("seen", "r2.changed")},
                   {cmd("h", {"reload", "nginx"})});
  const auto report = runManifest(host_, m);
  EXPECT_EQ(outcomes(report),
            (std::vector<std::string>{"never=ok", "by_output=changed", "not_updated=ok",
                                      "always=changed", "seen=ok"}));
  EXPECT_EQ(find(report, "seen")->message, "r2.changed = false");
  EXPECT_EQ(std::count(ran_.begin(), ran_.end(), "reload nginx"), 0);
}

TEST_F(EngineTest, FailedWhen) {
  auto tolerated = cmd("tolerated", {"fail", "soft"});
  tolerated.register_as = "t";
  tolerated.failed_when = condition(json{{"field", "t.rc"}, {"op", "gt"}, {"value", 1}});
  auto forced = cmd("forced", {"echo", "ERROR: disk"});
  forced.register_as = "f";
  forced.failed_when = condition(json{{"field", "f.stdout"}, {"op", "search"}, {"value", "ERROR"}});
  const auto m = makeManifest({tolerated, forced, cmd("after", {"step", "after"})});
  const auto report = runManifest(host_, m);
  EXPECT_EQ(outcomes(report),
            (std::vector<std::string>{"tolerated=changed", "forced=failed", "after=skipped"}));
  EXPECT_EQ(find(report, "forced")->message, "failed_when condition is true");
  EXPECT_EQ(find(report, "forced")->reason, "failed");
  EXPECT_EQ(find(report, "after")->message, "not run: an earlier resource failed");
}

TEST_F(EngineTest, FailingCommandReportsItsStderr) {
  const auto m = makeManifest({cmd("bad", {"fail", "hard"})});
  const auto report = runManifest(host_, m);
  ASSERT_EQ(report.resources.size(), 1u);
  EXPECT_EQ(report.resources[0].outcome, Outcome::Failed);
  EXPECT_EQ(report.resources[0].message, "non-zero return code: boom");
}

struct TagCase {
  std::vector<std::string> tags;
  std::vector<std::string> skip_tags;
  std::vector<std::string> expected;
};

TEST_F(EngineTest, TagsAndSkipTags) {
  const auto m = makeManifest({withTags(cmd("a", {"step", "a"}), {"a"}),
                               withTags(cmd("b", {"step", "b"}), {"b"}),
                               withTags(cmd("always", {"step", "always"}), {"always"}),
                               withTags(cmd("never", {"step", "never"}), {"never"}),
                               withTags(cmd("never_a", {"step", "never_a"}), {"never", "a"}),
                               cmd("untagged", {"step", "untagged"})});
  const TagCase cases[] = {
      {{}, {}, {"a", "b", "always", "untagged"}},
      {{"a"}, {}, {"a", "always", "never_a"}},
      {{"b"}, {}, {"b", "always"}},
      {{"never"}, {}, {"always", "never", "never_a"}},
      {{}, {"a"}, {"b", "always", "untagged"}},
      {{}, {"always"}, {"a", "b", "untagged"}},
      {{"a"}, {"always"}, {"a", "never_a"}},
      {{"a", "b"}, {"b"}, {"a", "always", "never_a"}},
  };
  for (const auto& c : cases) {
    agent::RunOptions options;
    options.tags = c.tags;
    options.skip_tags = c.skip_tags;
    const auto report = runManifest(host_, m, options);
    std::vector<std::string> ran;
    for (const auto& r : report.resources) ran.push_back(r.id);
    EXPECT_EQ(ran, c.expected) << "tags " << ::testing::PrintToString(c.tags) << " skip "
                               << ::testing::PrintToString(c.skip_tags);
  }
}

TEST_F(EngineTest, OnFailureStopSkipsTheRestAndContinueRunsIt) {
  for (const auto policy : {manifest::FailurePolicy::Stop, manifest::FailurePolicy::Continue}) {
    ran_.clear();
    auto m = makeManifest(
        {cmd("first", {"step", "1"}, {"h"}), makeSpec("boom", "fail", json{{"msg", "stop here"}}),
         cmd("last", {"step", "2"})},
        {cmd("h", {"reload", "nginx"})});
    m.on_failure = policy;
    const auto report = runManifest(host_, m);
    if (policy == manifest::FailurePolicy::Stop) {
      EXPECT_EQ(outcomes(report),
                (std::vector<std::string>{"first=changed", "boom=failed", "last=skipped"}));
      EXPECT_EQ(ran_, (std::vector<std::string>{"step 1"}));
    } else {
      EXPECT_EQ(outcomes(report), (std::vector<std::string>{"first=changed", "boom=failed",
                                                            "last=changed", "h=changed"}));
      EXPECT_EQ(ran_, (std::vector<std::string>{"step 1", "step 2", "reload nginx"}));
    }
    EXPECT_EQ(find(report, "boom")->reason, "assertion_failed");
    EXPECT_NE(find(report, "boom")->message.find("stop here"), std::string::npos);
  }
}

TEST_F(EngineTest, IgnoreErrorsKeepsGoing) {
  auto ignored = makeSpec("ignored", "fail", json{{"msg", "not fatal"}});
  ignored.ignore_errors = true;
  ignored.register_as = "i";
  const auto m = makeManifest({ignored, debugVar("seen", "i.failed"), cmd("last", {"step", "2"})});
  const auto report = runManifest(host_, m);
  EXPECT_EQ(outcomes(report), (std::vector<std::string>{"ignored=ok", "seen=ok", "last=changed"}));
  EXPECT_NE(find(report, "ignored")->message.find("(ignored)"), std::string::npos);
  EXPECT_EQ(find(report, "seen")->message, "i.failed = true");
}

TEST_F(EngineTest, CheckModeRunsNothingAndNotifiesNothingPersistently) {
  TempDir temp;
  auto state = agent::StateDir::open(temp.path() / "state");
  ASSERT_TRUE(state.has_value());
  host_.addDirectory("/etc");
  const auto m =
      makeManifest({makeSpec("motd", "copy", json{{"dest", "/etc/motd"}, {"content", "x"}}),
                    cmd("c1", {"step", "1"}, {"h"})},
                   {cmd("h", {"reload", "nginx"})});
  agent::RunOptions options;
  options.check = true;
  const auto generation = host_.generation();
  const auto report = runManifest(host_, m, options, &*state);
  EXPECT_EQ(outcomes(report),
            (std::vector<std::string>{"motd=would_change", "c1=would_change", "h=would_change"}));
  EXPECT_TRUE(ran_.empty());
  EXPECT_EQ(host_.generation(), generation);
  EXPECT_TRUE(state->loadPending()->empty());
}

// Blocks follow Ansible's flow; the expected runs and recaps below are what
// ansible-playbook 2.14 gives for the same plays (docs/engine.md, "Blocks:
// rescue and always").

TEST_F(EngineTest, BlockWithoutFailureSkipsRescueAndRunsAlways) {
  const auto m = makeManifest(
      {in({block("b1")}, cmd("work", {"step", "1"})), in({rescue("b1")}, cmd("fix", {"fix", "it"})),
       in({always("b1")}, cmd("cleanup", {"clean", "up"})), cmd("after", {"step", "2"})});
  const auto report = runManifest(host_, m);
  EXPECT_EQ(ran_, (std::vector<std::string>{"step 1", "clean up", "step 2"}));
  // The rescue part that was not needed is not reported at all.
  EXPECT_EQ(outcomes(report),
            (std::vector<std::string>{"work=changed", "cleanup=changed", "after=changed"}));
  const auto recap = report.recap();
  EXPECT_EQ(recap.failed, 0);
  EXPECT_EQ(recap.rescued, 0);
  EXPECT_EQ(recap.skipped, 0);
}

TEST_F(EngineTest, FailureInBlockRunsRescueAndIsRescued) {
  auto rest = in({block("b1")}, cmd("rest", {"step", "2"}));
  rest.register_as = "rest_out";
  const auto m = makeManifest({in({block("b1")}, cmd("first", {"step", "1"}, {"h"})),
                               in({block("b1")}, failing("boom", "disk full")), rest,
                               in({rescue("b1")}, cmd("fix", {"fix", "it"})),
                               in({always("b1")}, cmd("cleanup", {"clean", "up"})),
                               cmd("after", {"step", "3"}), debugVar("seen", "rest_out")},
                              {cmd("h", {"reload", "nginx"})});
  const auto report = runManifest(host_, m);
  // Handlers notified in a rescued block still run.
  EXPECT_EQ(ran_,
            (std::vector<std::string>{"step 1", "fix it", "clean up", "step 3", "reload nginx"}));
  EXPECT_EQ(outcomes(report),
            (std::vector<std::string>{"first=changed", "boom=failed", "rest=skipped", "fix=changed",
                                      "cleanup=changed", "after=changed", "seen=ok", "h=changed"}));
  EXPECT_TRUE(find(report, "boom")->rescued);
  EXPECT_EQ(find(report, "rest")->message, "not run: an earlier resource in block 'b1' failed");
  // A resource the block did not run registers nothing.
  EXPECT_EQ(find(report, "seen")->message, "rest_out = \"VARIABLE IS NOT DEFINED!\"");

  const auto recap = report.recap();
  EXPECT_EQ(recap.failed, 0);
  EXPECT_EQ(recap.rescued, 1);
  EXPECT_EQ(recap.skipped, 1);
  EXPECT_EQ(agent::recapLine(report), "test : ok=1 changed=5 failed=0 skipped=1 rescued=1");
  EXPECT_EQ(agent::statusLine(*find(report, "boom"), false),
            "failed: fail[boom]: error: disk full [assertion_failed] (rescued)");
  const json doc = agent::toJson(report);
  EXPECT_EQ(doc["recap"]["rescued"], 1);
  EXPECT_EQ(doc["recap"]["failed"], 0);
  EXPECT_EQ(doc["resources"][1]["id"], "boom");
  EXPECT_EQ(doc["resources"][1]["rescued"], true);
  EXPECT_EQ(doc["resources"][1]["outcome"], "failed");
  EXPECT_FALSE(doc["resources"][0].contains("rescued"));
}

TEST_F(EngineTest, FailingRescueFailsTheHostAfterAlwaysRan) {
  for (const auto policy : {manifest::FailurePolicy::Stop, manifest::FailurePolicy::Continue}) {
    SCOPED_TRACE(policy == manifest::FailurePolicy::Stop ? "stop" : "continue");
    ran_.clear();
    auto m = makeManifest(
        {in({block("b1")}, cmd("first", {"step", "1"}, {"h"})), in({block("b1")}, failing("boom")),
         in({rescue("b1")}, failing("fix", "cannot fix")),
         in({rescue("b1")}, cmd("fix_more", {"fix", "more"})),
         in({always("b1")}, cmd("cleanup", {"clean", "up"})), cmd("after", {"step", "2"})},
        {cmd("h", {"reload", "nginx"})});
    m.on_failure = policy;
    const auto report = runManifest(host_, m);
    const auto recap = report.recap();
    // As Ansible counts it: the block's failure went to a rescue part, the
    // rescue's own failure stands.
    EXPECT_EQ(recap.rescued, 1);
    EXPECT_EQ(recap.failed, 1);
    EXPECT_TRUE(find(report, "boom")->rescued);
    EXPECT_FALSE(find(report, "fix")->rescued);
    EXPECT_EQ(find(report, "fix_more")->message,
              "not run: an earlier resource in the rescue part of block 'b1' failed");
    if (policy == manifest::FailurePolicy::Stop) {
      EXPECT_EQ(ran_, (std::vector<std::string>{"step 1", "clean up"}));
      EXPECT_EQ(outcomes(report),
                (std::vector<std::string>{"first=changed", "boom=failed", "fix=failed",
                                          "fix_more=skipped", "cleanup=changed", "after=skipped"}));
      EXPECT_EQ(find(report, "after")->message, "not run: an earlier resource failed");
    } else {
      EXPECT_EQ(ran_, (std::vector<std::string>{"step 1", "clean up", "step 2", "reload nginx"}));
      EXPECT_EQ(outcomes(report),
                (std::vector<std::string>{"first=changed", "boom=failed", "fix=failed",
                                          "fix_more=skipped", "cleanup=changed", "after=changed",
                                          "h=changed"}));
    }
  }
}

TEST_F(EngineTest, FailureInBlockWithoutRescueStandsAfterAlwaysRan) {
  const auto m = makeManifest(
      {in({block("b1")}, failing("boom")), in({block("b1")}, cmd("rest", {"step", "1"})),
       in({always("b1")}, cmd("cleanup", {"clean", "up"})), cmd("after", {"step", "2"})});
  const auto report = runManifest(host_, m);
  EXPECT_EQ(ran_, (std::vector<std::string>{"clean up"}));
  EXPECT_EQ(outcomes(report), (std::vector<std::string>{"boom=failed", "rest=skipped",
                                                        "cleanup=changed", "after=skipped"}));
  EXPECT_FALSE(find(report, "boom")->rescued);
  EXPECT_EQ(report.recap().failed, 1);
  EXPECT_EQ(report.recap().rescued, 0);
}

TEST_F(EngineTest, IgnoredErrorsInABlockDoNotTriggerRescue) {
  auto ignored = in({block("b1")}, failing("ignored"));
  ignored.ignore_errors = true;
  const auto m = makeManifest({ignored, in({block("b1")}, cmd("rest", {"step", "1"})),
                               in({rescue("b1")}, cmd("fix", {"fix", "it"}))});
  const auto report = runManifest(host_, m);
  EXPECT_EQ(ran_, (std::vector<std::string>{"step 1"}));
  EXPECT_EQ(outcomes(report), (std::vector<std::string>{"ignored=ok", "rest=changed"}));
  EXPECT_EQ(report.recap().rescued, 0);
  EXPECT_FALSE(find(report, "ignored")->rescued);
}

TEST_F(EngineTest, SkippedResourcesInABlockAreNotFailures) {
  auto skipped = in({block("b1")}, cmd("skipped", {"step", "x"}));
  skipped.when = condition(false);
  const auto m = makeManifest({skipped, in({block("b1")}, cmd("rest", {"step", "1"})),
                               in({rescue("b1")}, cmd("fix", {"fix", "it"}))});
  const auto report = runManifest(host_, m);
  EXPECT_EQ(ran_, (std::vector<std::string>{"step 1"}));
  EXPECT_EQ(outcomes(report), (std::vector<std::string>{"skipped=skipped", "rest=changed"}));
}

TEST_F(EngineTest, NestedBlockRescuedInsideDoesNotTriggerTheOuterRescue) {
  const auto m = makeManifest(
      {in({block("outer"), block("inner")}, failing("boom")),
       in({block("outer"), rescue("inner")}, cmd("inner_fix", {"fix", "inner"})),
       in({block("outer")}, cmd("goes_on", {"step", "1"})),
       in({rescue("outer")}, cmd("outer_fix", {"fix", "outer"})),
       in({always("outer")}, cmd("cleanup", {"clean", "up"})), cmd("after", {"step", "2"})});
  const auto report = runManifest(host_, m);
  EXPECT_EQ(ran_, (std::vector<std::string>{"fix inner", "step 1", "clean up", "step 2"}));
  EXPECT_EQ(outcomes(report),
            (std::vector<std::string>{"boom=failed", "inner_fix=changed", "goes_on=changed",
                                      "cleanup=changed", "after=changed"}));
  EXPECT_EQ(report.recap().rescued, 1);
  EXPECT_EQ(report.recap().failed, 0);
}

TEST_F(EngineTest, NestedFailureNotRescuedInsideGoesToTheOuterRescue) {
  // The inner block has no rescue part: its always part runs, then the
  // failure ends the outer block part and the outer rescue part runs.
  const auto m = makeManifest(
      {in({block("outer"), block("inner")}, failing("boom")),
       in({block("outer"), always("inner")}, cmd("inner_cleanup", {"clean", "inner"})),
       in({block("outer")}, cmd("not_reached", {"step", "1"})),
       in({rescue("outer")}, cmd("outer_fix", {"fix", "outer"})), cmd("after", {"step", "2"})});
  const auto report = runManifest(host_, m);
  EXPECT_EQ(ran_, (std::vector<std::string>{"clean inner", "fix outer", "step 2"}));
  EXPECT_EQ(outcomes(report),
            (std::vector<std::string>{"boom=failed", "inner_cleanup=changed", "not_reached=skipped",
                                      "outer_fix=changed", "after=changed"}));
  EXPECT_EQ(find(report, "not_reached")->message,
            "not run: an earlier resource in block 'outer' failed");
  EXPECT_TRUE(find(report, "boom")->rescued);
  EXPECT_EQ(report.recap().rescued, 1);
  EXPECT_EQ(report.recap().failed, 0);
}

TEST_F(EngineTest, FailingInnerRescueIsRescuedByTheOuterBlock) {
  const auto m = makeManifest(
      {in({block("outer"), block("inner")}, failing("boom")),
       in({block("outer"), rescue("inner")}, failing("inner_fix")),
       in({block("outer"), always("inner")}, cmd("inner_cleanup", {"clean", "inner"})),
       in({rescue("outer")}, cmd("outer_fix", {"fix", "outer"})), cmd("after", {"step", "2"})});
  const auto report = runManifest(host_, m);
  EXPECT_EQ(ran_, (std::vector<std::string>{"clean inner", "fix outer", "step 2"}));
  EXPECT_EQ(outcomes(report),
            (std::vector<std::string>{"boom=failed", "inner_fix=failed", "inner_cleanup=changed",
                                      "outer_fix=changed", "after=changed"}));
  // ansible-playbook: rescued=2 failed=0.
  EXPECT_EQ(report.recap().rescued, 2);
  EXPECT_EQ(report.recap().failed, 0);
}

TEST_F(EngineTest, FailureInAlwaysIsAFailure) {
  const auto m = makeManifest(
      {in({block("b1")}, failing("boom")), in({rescue("b1")}, cmd("fix", {"fix", "it"})),
       in({always("b1")}, failing("cleanup", "cleanup failed")),
       in({always("b1")}, cmd("more_cleanup", {"clean", "more"})), cmd("after", {"step", "2"})});
  const auto report = runManifest(host_, m);
  EXPECT_EQ(ran_, (std::vector<std::string>{"fix it"}));
  EXPECT_EQ(outcomes(report),
            (std::vector<std::string>{"boom=failed", "fix=changed", "cleanup=failed",
                                      "more_cleanup=skipped", "after=skipped"}));
  EXPECT_EQ(find(report, "more_cleanup")->message,
            "not run: an earlier resource in the always part of block 'b1' failed");
  EXPECT_EQ(report.recap().rescued, 1);
  EXPECT_EQ(report.recap().failed, 1);
}

TEST_F(EngineTest, CheckModeFailureTriggersRescue) {
  host_.addDirectory("/etc");
  const auto m = makeManifest(
      {in({block("b1")}, makeSpec("motd", "copy", json{{"dest", "/etc/motd"}, {"content", "x"}})),
       in({block("b1")}, failing("boom")), in({rescue("b1")}, cmd("fix", {"fix", "it"})),
       in({always("b1")}, debugVar("cleanup", "nothing")), cmd("after", {"step", "2"})});
  agent::RunOptions options;
  options.check = true;
  const auto generation = host_.generation();
  const auto report = runManifest(host_, m, options);
  EXPECT_EQ(outcomes(report),
            (std::vector<std::string>{"motd=would_change", "boom=failed", "fix=would_change",
                                      "cleanup=ok", "after=would_change"}));
  EXPECT_TRUE(ran_.empty());
  EXPECT_EQ(host_.generation(), generation);
  EXPECT_EQ(report.recap().rescued, 1);
  EXPECT_EQ(report.recap().failed, 0);
}

TEST_F(EngineTest, NotConvergedInABlockIsRescued) {
  // The replacement matches its own pattern: applied, but never converges.
  host_.addDirectory("/etc");
  host_.addFile("/etc/app.conf", "a\n");
  const auto m = makeManifest(
      {in({block("b1")},
          makeSpec("edit", "replace",
                   json{{"path", "/etc/app.conf"}, {"regexp", "a"}, {"replace", "aa"}})),
       in({rescue("b1")}, cmd("fix", {"fix", "it"}))});
  const auto report = runManifest(host_, m);
  EXPECT_EQ(outcomes(report), (std::vector<std::string>{"edit=failed", "fix=changed"}));
  EXPECT_EQ(find(report, "edit")->reason, "not_converged");
  EXPECT_EQ(report.recap().rescued, 1);
  EXPECT_EQ(report.recap().failed, 0);
}

TEST_F(EngineTest, RescuePartWhoseResourcesAreSkippedStillRescues) {
  auto skipped = in({rescue("b1")}, cmd("fix", {"fix", "it"}));
  skipped.when = condition(false);
  const auto m = makeManifest({in({block("b1")}, failing("boom")), skipped,
                               in({always("b1")}, cmd("cleanup", {"clean", "up"})),
                               cmd("after", {"step", "2"})});
  const auto report = runManifest(host_, m);
  EXPECT_EQ(outcomes(report), (std::vector<std::string>{"boom=failed", "fix=skipped",
                                                        "cleanup=changed", "after=changed"}));
  EXPECT_EQ(report.recap().rescued, 1);
  EXPECT_EQ(report.recap().failed, 0);
}

TEST_F(EngineTest, TagsThatLeaveNoRescuePartLeaveTheFailureStanding) {
  // ansible-playbook --tags x drops the untagged rescue and always tasks.
  const auto m = makeManifest({in({block("b1")}, withTags(failing("boom"), {"x"})),
                               in({rescue("b1")}, cmd("fix", {"fix", "it"})),
                               in({always("b1")}, cmd("cleanup", {"clean", "up"})),
                               withTags(cmd("after", {"step", "2"}), {"x"})});
  agent::RunOptions options;
  options.tags = {"x"};
  const auto report = runManifest(host_, m, options);
  EXPECT_TRUE(ran_.empty());
  EXPECT_EQ(outcomes(report), (std::vector<std::string>{"boom=failed", "after=skipped"}));
  EXPECT_FALSE(find(report, "boom")->rescued);
  EXPECT_EQ(report.recap().failed, 1);
}

TEST_F(EngineTest, FailedHandlerFlushedInsideABlockRunsTheRescue) {
  // As in ansible-playbook 2.14. The handler stays owed and runs again at
  // the end of the run, after the rescue repaired what it needs.
  failing_ = {"reload nginx"};
  const auto m = makeManifest(
      {in({block("b1")}, cmd("c1", {"step", "1"}, {"h"})),
       in({block("b1")}, makeSpec("flush", "meta", json{{"action", "flush_handlers"}})),
       in({block("b1")}, cmd("rest", {"step", "2"})),
       in({rescue("b1")}, cmd("fix", {"repair", "nginx"})), cmd("after", {"step", "3"})},
      {cmd("h", {"reload", "nginx"})});
  const auto report = runManifest(host_, m);
  EXPECT_EQ(ran_, (std::vector<std::string>{"step 1", "reload nginx", "repair nginx", "step 3",
                                            "reload nginx"}));
  EXPECT_EQ(outcomes(report),
            (std::vector<std::string>{"c1=changed", "h=failed", "rest=skipped", "fix=changed",
                                      "after=changed", "h=changed"}));
  EXPECT_TRUE(report.resources[1].rescued);
  EXPECT_EQ(report.recap().rescued, 1);
  EXPECT_EQ(report.recap().failed, 0);
}

TEST_F(EngineTest, PlanRefusesAMalformedBlockStructure) {
  // parseManifest checks this; a manifest built in code is checked again.
  const auto out_of_order = makeManifest({in({rescue("b1")}, cmd("fix", {"fix", "it"})),
                                          in({block("b1")}, cmd("work", {"step", "1"}))});
  auto plan = planFor(out_of_order);
  ASSERT_FALSE(plan.has_value());
  EXPECT_EQ(plan.error().code(), ErrorCode::Schema);
  EXPECT_EQ(plan.error().where(), "/resources/1/block/0/part");

  const auto handler_in_block = makeManifest({cmd("c1", {"step", "1"}, {"h"})},
                                             {in({block("b1")}, cmd("h", {"reload", "x"}))});
  plan = planFor(handler_in_block);
  ASSERT_FALSE(plan.has_value());
  EXPECT_EQ(plan.error().where(), "/handlers/0/block");
}

// `late`: parameters filled in from results registered earlier in the run.
TEST_F(EngineTest, LateParametersAreFilledInFromRegisteredResults) {
  host_.addDirectory("/srv");
  host_.addDirectory("/srv/app");
  auto where = cmd("where", {"echo", " /srv/app "});
  where.register_as = "out";
  const auto late = [](const json& bindings) {
    auto parsed = manifest::parseLateBindings(bindings, "/late");
    EXPECT_TRUE(parsed.has_value()) << parsed.error().describe();
    return parsed ? *parsed : std::vector<manifest::LateBinding>{};
  };
  auto conf = makeSpec("conf", "copy", json{{"dest", nullptr}, {"content", "port=80\n"}});
  conf.late = late(json::parse(R"([{"param": "/dest",
      "parts": [{"field": "out.stdout", "filters": ["trim"]}, "/app.conf"]}])"));
  auto shout = cmd("shout", {"echo", "placeholder"});
  shout.late = late(json::parse(R"([{"param": "/argv/1",
      "parts": [{"field": "out.stdout", "filters": ["trim", "basename", "upper"]}]}])"));
  auto missing = cmd("missing", {"echo", "x"});
  missing.late = late(json::parse(R"([{"param": "/argv/1", "parts": [{"field": "out.nope"}]}])"));
  missing.ignore_errors = true;
  auto fallback = makeSpec("fallback", "debug", json{{"msg", nullptr}});
  fallback.late = late(json::parse(R"([{"param": "/msg", "parts": ["rc=", {"field": "out.rc"},
      " ", {"field": "out.nope", "filters": [{"name": "default", "argument": "none"}]}]}])"));
  const auto m = makeManifest({where, conf, shout, missing, fallback});
  // Plans although the late parameters (a null dest, a placeholder) are
  // not valid yet: they are checked when the run fills them in.
  const auto plan = planFor(m);
  ASSERT_TRUE(plan.has_value()) << plan.error().describe();

  const auto report = runManifest(host_, m);
  EXPECT_EQ(outcomes(report),
            (std::vector<std::string>{"where=changed", "conf=changed", "shout=changed",
                                      "missing=ok", "fallback=ok"}));
  EXPECT_EQ(*host_.readFile("/srv/app/app.conf", 1024), "port=80\n");
  EXPECT_EQ(find(report, "conf")->title, "copy[/srv/app/app.conf]");
  EXPECT_EQ(ran_, (std::vector<std::string>{"echo  /srv/app ", "echo APP"}));
  EXPECT_NE(find(report, "missing")->message.find("'out.nope' is not in the registered results"),
            std::string::npos)
      << find(report, "missing")->message;
  EXPECT_EQ(find(report, "fallback")->message, "rc=0 none");
}

TEST_F(EngineTest, LateParameterThatCannotBecomeTextFailsTheResource) {
  auto lines = cmd("lines", {"echo", "a"});
  lines.register_as = "out";
  auto bad = cmd("bad", {"echo", "x"});
  auto parsed = manifest::parseLateBindings(
      json::parse(R"([{"param": "/argv/1", "parts": ["-", {"field": "out.stdout_lines"}]}])"),
      "/late");
  ASSERT_TRUE(parsed.has_value());
  bad.late = *parsed;
  const auto report = runManifest(host_, makeManifest({lines, bad}));
  EXPECT_EQ(outcomes(report), (std::vector<std::string>{"lines=changed", "bad=failed"}));
  EXPECT_NE(find(report, "bad")->message.find("'out.stdout_lines' is a list"), std::string::npos)
      << find(report, "bad")->message;
}

// `loop` on registering resources: one value with every item's result.
TEST_F(EngineTest, LoopItemsRegisterOneResultWithEveryItem) {
  std::vector<manifest::ResourceSpec> items;
  for (std::uint64_t i : {0u, 2u}) {
    auto item = cmd(fmt::format("say-{}", i), {"echo", i == 0 ? "a" : "c"});
    item.register_as = "out";
    item.loop = manifest::LoopItem{"p1-t1", i, 3, "item", json(i == 0 ? "a" : "c")};
    items.push_back(std::move(item));
  }
  items[1].changed_when = condition(false);
  for (const char* field :
       {"out.changed", "out.skipped", "out.msg", "out.results[0].stdout", "out.results[0].item",
        "out.results[1].skipped", "out.results[2].changed", "out.results[2].ansible_loop_var"}) {
    items.push_back(debugVar(field, field));
  }
  auto again = cmd("again", {"echo", "z"});
  again.register_as = "out";
  again.loop = manifest::LoopItem{"p1-t2", 0, 1, "name", json("z")};
  items.push_back(again);
  items.push_back(debugVar("fresh", "out.results"));
  const auto report = runManifest(host_, makeManifest(items));
  const auto message = [&](const char* id) { return find(report, id)->message; };
  EXPECT_EQ(message("out.changed"), "out.changed = true");
  EXPECT_EQ(message("out.skipped"), "out.skipped = false");
  EXPECT_EQ(message("out.msg"), "out.msg = \"All items completed\"");
  EXPECT_EQ(message("out.results[0].stdout"), "out.results[0].stdout = \"a\"");
  EXPECT_EQ(message("out.results[0].item"), "out.results[0].item = \"a\"");
  EXPECT_EQ(message("out.results[1].skipped"), "out.results[1].skipped = true");
  EXPECT_EQ(message("out.results[2].changed"), "out.results[2].changed = false");
  EXPECT_EQ(message("out.results[2].ansible_loop_var"),
            "out.results[2].ansible_loop_var = \"item\"");
  // Another loop registering the same name starts afresh.
  const std::string fresh = message("fresh");
  EXPECT_NE(fresh.find("\"name\":\"z\""), std::string::npos) << fresh;
  EXPECT_EQ(fresh.find("\"a\""), std::string::npos) << fresh;
}

TEST_F(EngineTest, LoopWithAFailedItemRegistersTheFailure) {
  auto ok_item = cmd("ok", {"echo", "a"});
  ok_item.register_as = "out";
  ok_item.loop = manifest::LoopItem{"p1-t1", 0, 2, "item", json("a")};
  auto bad_item = cmd("bad", {"fail", "b"});
  bad_item.register_as = "out";
  bad_item.ignore_errors = true;
  bad_item.loop = manifest::LoopItem{"p1-t1", 1, 2, "item", json("b")};
  const auto report =
      runManifest(host_, makeManifest({ok_item, bad_item, debugVar("failed", "out.failed"),
                                       debugVar("msg", "out.msg")}));
  EXPECT_EQ(find(report, "failed")->message, "out.failed = true");
  EXPECT_EQ(find(report, "msg")->message, "out.msg = \"One or more items failed\"");
}

}  // namespace
}  // namespace sc::testing
