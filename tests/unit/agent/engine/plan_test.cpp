// makePlan refuses, before any host access, what can be refused from the
// manifest alone: bad paths (B-07), parameter schema errors (B-05),
// contradicting resources (B-09), handler cycles (B-10), content over the
// size limit (B-12), unknown kinds.
#include <gtest/gtest.h>

#include "tests/unit/unit_support.h"

namespace sc::testing {
namespace {

using nlohmann::json;

std::string longPath() {
  std::string path;
  while (path.size() <= limits::kMaxPathBytes) path += "/" + std::string(100, 'd');
  return path;
}

struct PathCase {
  std::string path;
  std::string reason;
};

// B-07, for the path-taking parameter of three kinds.
TEST(PlanTest, UnsafePathsAreRefusedAtValidate) {
  const PathCase cases[] = {
      {"etc/motd", "not absolute"},
      {"", "empty"},
      {"/etc/../etc/motd", "contains '..'"},
      {"/..", "contains '..'"},
      {"/etc//motd", "contains '//'"},
      {"/etc/./motd", "contains '/./'"},
      {"/etc/motd/", "ends with '/'"},
      {std::string("/etc/mo\0td", 10), "contains a NUL byte"},
      {longPath(), "longer than PATH_MAX"},
      {"/etc/" + std::string(256, 'n'), "a component is longer than NAME_MAX"},
  };
  const std::pair<std::string, std::string> kinds[] = {
      {"copy", "dest"}, {"file", "path"}, {"lineinfile", "path"}};
  for (const auto& [kind, key] : kinds) {
    for (const auto& c : cases) {
      SCOPED_TRACE(kind + " " + c.reason);
      json params{{key, c.path}};
      if (kind == "copy") params["content"] = "x";
      if (kind == "file") params["state"] = "touch";
      if (kind == "lineinfile") params["line"] = "x";
      const auto m = makeManifest({makeSpec("ok", "copy", {{"dest", "/etc/a"}, {"content", ""}}),
                                   makeSpec("bad", kind, params)});
      auto plan = planFor(m);
      ASSERT_FALSE(plan.has_value());
      EXPECT_EQ(plan.error().code(), ErrorCode::UnsafePath) << plan.error().describe();
      EXPECT_EQ(plan.error().where(), "/resources/1/params/" + key);
      EXPECT_NE(
          plan.error().message().find("resource 'bad' (" + kind + "): parameter '" + key + "'"),
          std::string::npos)
          << plan.error().message();
      EXPECT_NE(plan.error().message().find(c.reason), std::string::npos) << plan.error().message();
    }
  }
}

TEST(PlanTest, NormalPathsAreAccepted) {
  for (const std::string& path : std::vector<std::string>{
           "/etc/motd", "/a/b..c", "/etc/.hidden", "/x/...", "/etc/" + std::string(255, 'n')}) {
    const auto m = makeManifest({makeSpec("r", "copy", {{"dest", path}, {"content", "x"}})});
    auto plan = planFor(m);
    EXPECT_TRUE(plan.has_value()) << path << ": " << plan.error().describe();
  }
}

// B-06: a NUL written as \u0000 in the JSON survives parsing and is refused
// at validate.
TEST(PlanTest, NulFromAJsonEscapeIsRefusedAtValidate) {
  auto m = manifest::parseManifest(
      R"({"format_version": 1, "host": "h", "serial": 1, "resources": [
           {"id": "motd", "type": "copy", "params": {"dest": "/etc/mo\u0000td", "content": "x"}}]})",
      "m.json");
  ASSERT_TRUE(m.has_value()) << m.error().describe();
  auto plan = planFor(*m);
  ASSERT_FALSE(plan.has_value());
  EXPECT_EQ(plan.error().code(), ErrorCode::UnsafePath);
  EXPECT_EQ(plan.error().where(), "/resources/0/params/dest");
  EXPECT_NE(plan.error().message().find("contains a NUL byte"), std::string::npos);
}

TEST(PlanTest, RemovingTheRootIsRefused) {
  const auto m = makeManifest({makeSpec("r", "file", {{"path", "/"}, {"state", "absent"}})});
  auto plan = planFor(m);
  ASSERT_FALSE(plan.has_value());
  EXPECT_EQ(plan.error().code(), ErrorCode::Schema);
  EXPECT_EQ(plan.error().where(), "/resources/0/params/path");
  EXPECT_NE(plan.error().message().find("refusing to remove '/'"), std::string::npos);
}

struct ParamCase {
  std::string name;
  std::string kind;
  json params;
  std::string pointer;
  std::string message_part;
};

// B-05 at parameter level, on the third resource.
TEST(PlanTest, ParameterSchemaErrorsNameThePointer) {
  const ParamCase cases[] = {
      {"mode as an integer",
       "copy",
       {{"dest", "/etc/x"}, {"content", ""}, {"mode", 420}},
       "/resources/2/params/mode",
       "expected an octal string such as \"0644\", got number"},
      {"unknown parameter",
       "copy",
       {{"dest", "/etc/x"}, {"content", ""}, {"colour", "red"}},
       "/resources/2/params/colour",
       "unknown parameter for kind 'copy'"},
      {"missing required parameter",
       "copy",
       {{"content", ""}},
       "/resources/2/params/dest",
       "is required"},
      {"boolean as a string",
       "copy",
       {{"dest", "/etc/x"}, {"content", ""}, {"force", "yes"}},
       "/resources/2/params/force",
       "expected true or false, got string"},
      {"string as a number",
       "file",
       {{"path", 5}},
       "/resources/2/params/path",
       "expected a string, got number"},
      {"unknown state",
       "file",
       {{"path", "/etc/x"}, {"state", "folder"}},
       "/resources/2/params/state",
       "unknown state 'folder'"},
      {"argv not a list",
       "command",
       {{"argv", "ls -l"}},
       "/resources/2/params/argv",
       "expected an array of strings"},
      {"two content sources",
       "copy",
       {{"dest", "/etc/x"}, {"content", ""}, {"src", "/a"}},
       "/resources/2/params/content",
       "exactly one of"},
      {"bad checksum",
       "copy",
       {{"dest", "/etc/x"}, {"content", "a"}, {"checksum", "abc"}},
       "/resources/2/params/checksum",
       "64 lowercase hex digits"},
      {"bad base64",
       "copy",
       {{"dest", "/etc/x"}, {"content_base64", "abc"}},
       "/resources/2/params/content_base64",
       "multiple of 4"},
      {"bad assert condition",
       "assert",
       {{"that", {{{"field", "x"}, {"op", "bogus"}}}}},
       "/resources/2/params/that",
       "unknown operator 'bogus'"},
  };
  for (const auto& c : cases) {
    const auto m = makeManifest({makeSpec("a", "copy", {{"dest", "/etc/a"}, {"content", ""}}),
                                 makeSpec("b", "copy", {{"dest", "/etc/b"}, {"content", ""}}),
                                 makeSpec("c", c.kind, c.params)});
    auto plan = planFor(m);
    ASSERT_FALSE(plan.has_value()) << c.name;
    EXPECT_EQ(plan.error().code(), ErrorCode::Schema) << c.name;
    EXPECT_EQ(plan.error().where(), c.pointer) << c.name;
    EXPECT_NE(plan.error().message().find(c.message_part), std::string::npos)
        << c.name << ": " << plan.error().message();
  }
}

TEST(PlanTest, UnknownKindSuggestsTheNearestOne) {
  const auto m = makeManifest({makeSpec("motd", "coppy", {{"dest", "/etc/motd"}})});
  auto plan = planFor(m);
  ASSERT_FALSE(plan.has_value());
  EXPECT_EQ(plan.error().code(), ErrorCode::Schema);
  EXPECT_EQ(plan.error().where(), "/resources/0/type");
  EXPECT_EQ(plan.error().message(), "resource 'motd': unknown kind 'coppy'; did you mean 'copy'?");
}

json copyOf(const std::string& dest, const std::string& content) {
  return json{{"dest", dest}, {"content", content}};
}

// B-09.
TEST(PlanTest, ContradictingClaimsConflictNamingBothResources) {
  struct Case {
    std::string name;
    std::vector<manifest::ResourceSpec> specs;
    std::string message;
  };
  const Case cases[] = {
      {"same path, different content",
       {makeSpec("first", "copy", copyOf("/etc/x", "1")),
        makeSpec("second", "copy", copyOf("/etc/x", "2"))},
       "resources 'first' and 'second' both manage '/etc/x' with different desired states"},
      {"same content, different mode",
       {makeSpec("first", "copy", {{"dest", "/etc/x"}, {"content", "1"}, {"mode", "0644"}}),
        makeSpec("second", "copy", {{"dest", "/etc/x"}, {"content", "1"}, {"mode", "0600"}})},
       "resources 'first' and 'second' both manage '/etc/x' with different desired states"},
      {"file and absent",
       {makeSpec("first", "copy", copyOf("/etc/x", "1")),
        makeSpec("second", "file", {{"path", "/etc/x"}, {"state", "absent"}})},
       "resources 'first' and 'second' both manage '/etc/x' with different desired states"},
      {"file inside a file",
       {makeSpec("first", "copy", copyOf("/etc/app", "1")),
        makeSpec("second", "copy", copyOf("/etc/app/conf", "2"))},
       "resource 'second' manages '/etc/app/conf' inside '/etc/app', which resource 'first' makes "
       "a file or link"},
      {"file deep inside a file",
       {makeSpec("first", "copy", copyOf("/etc/app/sub/deep", "2")),
        makeSpec("second", "file", {{"path", "/etc/app"}, {"state", "touch"}})},
       "resource 'first' manages '/etc/app/sub/deep' inside '/etc/app', which resource 'second' "
       "makes a file or link"},
      {"file inside a link",
       {makeSpec("first", "file",
                 {{"path", "/srv/current"}, {"state", "link"}, {"src", "/srv/r1"}}),
        makeSpec("second", "copy", copyOf("/srv/current/index.html", "x"))},
       "resource 'second' manages '/srv/current/index.html' inside '/srv/current', which resource "
       "'first' makes a file or link"},
  };
  for (const auto& c : cases) {
    const auto m = makeManifest(c.specs);
    auto plan = planFor(m);
    ASSERT_FALSE(plan.has_value()) << c.name;
    EXPECT_EQ(plan.error().code(), ErrorCode::Conflict) << c.name;
    EXPECT_EQ(plan.error().message(), c.message) << c.name;
  }
}

TEST(PlanTest, AgreeingClaimsAreAccepted) {
  const auto m = makeManifest({
      makeSpec("a", "copy", {{"dest", "/etc/x"}, {"content", "1"}, {"mode", "0644"}}),
      makeSpec("b", "copy", {{"dest", "/etc/x"}, {"content", "1"}, {"mode", "0644"}}),
      makeSpec("dir", "file", {{"path", "/srv/app"}, {"state", "directory"}}),
      makeSpec("inside", "copy", copyOf("/srv/app/index.html", "x")),
  });
  auto plan = planFor(m);
  ASSERT_TRUE(plan.has_value()) << plan.error().describe();
  EXPECT_EQ(plan->resources.size(), 4u);
}

manifest::ResourceSpec inSection(manifest::ResourceSpec spec, const std::string& block,
                                 manifest::BlockPart part) {
  spec.block = {{block, part}};
  return spec;
}

// A rescue part puts back what a failed block part wrote; an always part
// removes what the block part made: not contradictions.
TEST(PlanTest, ClaimsInDifferentPartsOfOneBlockDoNotConflict) {
  using manifest::BlockPart;
  const auto m = makeManifest({
      inSection(makeSpec("new", "copy", copyOf("/etc/x", "new")), "b1", BlockPart::Block),
      inSection(makeSpec("work", "file", {{"path", "/tmp/work"}, {"state", "directory"}}), "b1",
                BlockPart::Block),
      inSection(makeSpec("scratch", "copy", copyOf("/tmp/work/f", "x")), "b1", BlockPart::Block),
      inSection(makeSpec("restore", "copy", copyOf("/etc/x", "good")), "b1", BlockPart::Rescue),
      inSection(makeSpec("clean", "file", {{"path", "/tmp/work"}, {"state", "absent"}}), "b1",
                BlockPart::Always),
  });
  auto plan = planFor(m);
  ASSERT_TRUE(plan.has_value()) << plan.error().describe();
}

TEST(PlanTest, ClaimsStillConflictAcrossBlocksAndWithinAPart) {
  using manifest::BlockPart;
  struct Case {
    std::string name;
    std::vector<manifest::ResourceSpec> specs;
    std::string message;
  };
  const Case cases[] = {
      {"same part",
       {inSection(makeSpec("first", "copy", copyOf("/etc/x", "1")), "b1", BlockPart::Rescue),
        inSection(makeSpec("second", "copy", copyOf("/etc/x", "2")), "b1", BlockPart::Rescue)},
       "resources 'first' and 'second' both manage '/etc/x' with different desired states"},
      {"one outside the block",
       {inSection(makeSpec("first", "copy", copyOf("/etc/x", "1")), "b1", BlockPart::Rescue),
        makeSpec("second", "copy", copyOf("/etc/x", "2"))},
       "resources 'first' and 'second' both manage '/etc/x' with different desired states"},
      {"different blocks",
       {inSection(makeSpec("first", "copy", copyOf("/etc/x", "1")), "b1", BlockPart::Block),
        inSection(makeSpec("second", "copy", copyOf("/etc/x", "2")), "b2", BlockPart::Rescue)},
       "resources 'first' and 'second' both manage '/etc/x' with different desired states"},
      {"outside agreeing with the block part but not the rescue part",
       {inSection(makeSpec("first", "copy", copyOf("/etc/x", "1")), "b1", BlockPart::Block),
        inSection(makeSpec("second", "copy", copyOf("/etc/x", "2")), "b1", BlockPart::Rescue),
        makeSpec("third", "copy", copyOf("/etc/x", "1"))},
       "resources 'second' and 'third' both manage '/etc/x' with different desired states"},
      {"file inside a file from outside the block",
       {inSection(makeSpec("first", "copy", copyOf("/etc/app", "1")), "b1", BlockPart::Always),
        makeSpec("second", "copy", copyOf("/etc/app/conf", "2"))},
       "resource 'second' manages '/etc/app/conf' inside '/etc/app', which resource 'first' makes "
       "a file or link"},
  };
  for (const auto& c : cases) {
    const auto m = makeManifest(c.specs);
    auto plan = planFor(m);
    ASSERT_FALSE(plan.has_value()) << c.name;
    EXPECT_EQ(plan.error().code(), ErrorCode::Conflict) << c.name;
    EXPECT_EQ(plan.error().message(), c.message) << c.name;
  }
}

std::string cycleManifest(const std::string& handlers) {
  return R"({"format_version": 1, "host": "h", "serial": 1,
    "resources": [{"id": "r", "type": "command", "params": {"argv": ["true"]}, "notify": ["a"]}],
    "handlers": )" +
         handlers + "}";
}

// B-10.
TEST(PlanTest, HandlerNotificationCyclesAreRefusedWithTheChain) {
  const std::pair<std::string, std::string> cases[] = {
      {R"([{"id": "a", "type": "command", "params": {"argv": ["true"]}, "notify": ["b"]},
           {"id": "b", "type": "command", "params": {"argv": ["true"]}, "notify": ["a"]}])",
       "handler notification cycle: a -> b -> a"},
      {R"([{"id": "a", "type": "command", "params": {"argv": ["true"]}, "notify": ["a"]}])",
       "handler notification cycle: a -> a"},
      {R"([{"id": "a", "type": "command", "params": {"argv": ["true"]}, "notify": ["b"]},
           {"id": "b", "type": "command", "params": {"argv": ["true"]}, "notify": ["c"]},
           {"id": "c", "type": "command", "params": {"argv": ["true"]}, "notify": ["b"]}])",
       "handler notification cycle: b -> c -> b"},
  };
  for (const auto& [handlers, message] : cases) {
    auto m = manifest::parseManifest(cycleManifest(handlers), "m.json");
    ASSERT_TRUE(m.has_value()) << m.error().describe();
    auto plan = planFor(*m);
    ASSERT_FALSE(plan.has_value()) << message;
    EXPECT_EQ(plan.error().code(), ErrorCode::Cycle);
    EXPECT_EQ(plan.error().message(), message);
    EXPECT_EQ(plan.error().where().rfind("/handlers/", 0), 0u) << plan.error().where();
  }
  // A chain without a cycle is fine.
  auto chain = manifest::parseManifest(
      cycleManifest(
          R"([{"id": "a", "type": "command", "params": {"argv": ["true"]}, "notify": ["b"]},
                        {"id": "b", "type": "command", "params": {"argv": ["true"]}}])"),
      "m.json");
  ASSERT_TRUE(chain.has_value());
  EXPECT_TRUE(planFor(*chain).has_value());
}

TEST(PlanTest, NotifyingSomethingThatIsNotAHandlerIsASchemaError) {
  auto parsed = manifest::parseManifest(
      cycleManifest(
          R"([{"id": "a", "type": "command", "params": {"argv": ["true"]}, "notify": ["r"]}])"),
      "m.json");
  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(parsed.error().code(), ErrorCode::Schema);
  EXPECT_EQ(parsed.error().where(), "m.json:/handlers/0/notify/0");
  EXPECT_EQ(parsed.error().message(), "'a' notifies 'r', which is not a handler");

  // A manifest built in code skips parseManifest's check; the plan refuses it.
  auto handler = makeSpec("a", "command", {{"argv", {"true"}}});
  handler.notify = {"nowhere"};
  const auto m = makeManifest({}, {handler});
  auto plan = planFor(m);
  ASSERT_FALSE(plan.has_value());
  EXPECT_EQ(plan.error().code(), ErrorCode::Schema);
  EXPECT_EQ(plan.error().where(), "/handlers/0/notify/0");
  EXPECT_EQ(plan.error().message(), "'a' notifies 'nowhere', which is not a handler");
}

// B-12.
TEST(PlanTest, ContentOverTheFileSizeLimitIsTooLarge) {
  const auto over =
      makeManifest({makeSpec("big", "copy", copyOf("/etc/big", std::string(11, 'x')))});
  auto plan = planFor(over, 10);
  ASSERT_FALSE(plan.has_value());
  EXPECT_EQ(plan.error().code(), ErrorCode::TooLarge);
  EXPECT_EQ(plan.error().where(), "/resources/0/params/content");
  EXPECT_EQ(plan.error().message(),
            "resource 'big' (copy): parameter 'content': is 11 bytes, over the limit of 10");

  const auto base64 = makeManifest(
      {makeSpec("big", "copy", {{"dest", "/etc/big"}, {"content_base64", "eHh4eHh4eHh4eHg="}})});
  auto plan64 = planFor(base64, 10);
  ASSERT_FALSE(plan64.has_value());
  EXPECT_EQ(plan64.error().code(), ErrorCode::TooLarge);
  EXPECT_EQ(plan64.error().where(), "/resources/0/params/content_base64");
  EXPECT_NE(plan64.error().message().find("is 11 bytes, over the limit of 10"), std::string::npos);

  const auto at_limit =
      makeManifest({makeSpec("big", "copy", copyOf("/etc/big", std::string(10, 'x')))});
  EXPECT_TRUE(planFor(at_limit, 10).has_value());
}

TEST(PlanTest, ExistingFileOverTheLimitIsTooLargeAtObserve) {
  FakeHost host;
  host.addFile("/etc/big", std::string(100, 'x'));
  const auto m =
      makeManifest({makeSpec("edit", "lineinfile", {{"path", "/etc/big"}, {"line", "y"}})});
  agent::RunOptions options;
  options.max_file_bytes = 50;
  const auto generation = host.generation();
  const auto report = runManifest(host, m, options);
  ASSERT_EQ(report.resources.size(), 1u);
  EXPECT_EQ(report.resources[0].outcome, agent::Outcome::Failed);
  EXPECT_EQ(report.resources[0].reason, "too_large");
  EXPECT_EQ(host.generation(), generation);
}

// B-16: nothing to manage means nothing changes.
TEST(PlanTest, EmptyManifestRunsAndChangesNothing) {
  auto m = manifest::parseManifest(
      R"({"format_version": 1, "host": "h", "serial": 7, "resources": []})", "m.json");
  ASSERT_TRUE(m.has_value());
  FakeHost host;
  host.addFile("/etc/keep", "keep\n");
  const auto nodes = host.nodes().size();
  const auto generation = host.generation();
  const auto report = runManifest(host, *m);
  EXPECT_EQ(host.generation(), generation);
  EXPECT_EQ(host.nodes().size(), nodes);
  EXPECT_TRUE(report.resources.empty());
  EXPECT_EQ(report.serial, 7u);
  const auto recap = report.recap();
  EXPECT_EQ(recap.ok, 0);
  EXPECT_EQ(recap.changed, 0);
  EXPECT_EQ(recap.would_change, 0);
  EXPECT_EQ(recap.failed, 0);
  EXPECT_EQ(recap.skipped, 0);
}

}  // namespace
}  // namespace sc::testing
