// The contract every resource kind keeps (STYLE.md section 6), checked for
// each registered kind on FakeHost and on the real filesystem (PosixHost
// over a temp dir):
//   - bad parameters fail validation, naming the resource id and parameter;
//   - observe changes nothing;
//   - apply from scratch, then observe, gives an empty diff, and a second
//     run changes nothing;
//   - check mode predicts exactly the changes apply then makes, and
//     changes nothing itself;
//   - a hand-made change afterwards is seen as drift.
// A kind without samples fails the suite.
#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "agent/engine/engine.h"
#include "agent/resources/registry.h"
#include "common/hash.h"
#include "common/limits.h"
#include "tests/support/test_tree.h"

namespace sc::testing {
namespace {

using agent::Outcome;
using nlohmann::json;

struct BadParams {
  json params;
  std::string parameter;  // must appear in the error message
};

struct Sample {
  std::string kind;
  std::string name;
  std::function<json(TestTree&)> params;
  std::function<void(TestTree&)> seed = [](TestTree&) {};
  // A change a person might make by hand; null for kinds without state.
  std::function<void(TestTree&)> drift;
  Outcome first = Outcome::Changed;
  std::vector<BadParams> bad;
};

std::vector<Sample> samples() {
  const std::string kPem =
      "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n";
  std::vector<Sample> out;
  out.push_back({"file",
                 "directory",
                 [](TestTree&) {
                   return json{{"path", "/srv/app/data"}, {"state", "directory"}, {"mode", "0750"}};
                 },
                 [](TestTree&) {},
                 [](TestTree& t) { t.chmod("/srv/app/data", 0700); },
                 Outcome::Changed,
                 {{json{{"path", "srv/app"}, {"state", "directory"}}, "path"},
                  {json{{"path", "/srv/app"}, {"state", "directory"}, {"mode", "0999"}}, "mode"},
                  {json{{"path", "/srv/app"}, {"state", "folder"}}, "state"},
                  {json{{"path", "/srv/app"}, {"colour", "red"}}, "colour"}}});
  out.push_back(
      {"file",
       "touch_preserve",
       [](TestTree&) {
         return json{{"path", "/srv/flag"},
                     {"state", "touch"},
                     {"mode", "u=rw,go=r"},
                     {"modification_time", "preserve"},
                     {"access_time", "preserve"}};
       },
       [](TestTree& t) { t.addDirectory("/srv"); },
       [](TestTree& t) { t.remove("/srv/flag"); },
       Outcome::Changed,
       {{json{{"path", "/srv/flag"}, {"state", "touch"}, {"mode", "u=rwz"}}, "mode"},
        {json{{"path", "/srv/flag"}, {"state", "touch"}, {"modification_time", "yesterday"}},
         "modification_time"}}});
  out.push_back(
      {"file",
       "symlink",
       [](TestTree&) {
         return json{{"path", "/srv/current"}, {"state", "link"}, {"src", "/srv/releases/2"}};
       },
       [](TestTree& t) { t.addDirectory("/srv/releases/2"); },
       [](TestTree& t) {
         t.remove("/srv/current");
         t.addSymlink("/srv/current", "/srv/releases/1");
       },
       Outcome::Changed,
       {{json{{"path", "/srv/current"}, {"state", "link"}}, "src"}}});
  out.push_back({"file",
                 "hard_link",
                 [](TestTree&) {
                   return json{{"path", "/srv/b"}, {"state", "hard"}, {"src", "/srv/a"}};
                 },
                 [](TestTree& t) { t.addFile("/srv/a", "shared\n"); },
                 [](TestTree& t) { t.remove("/srv/b"); },
                 Outcome::Changed,
                 {{json{{"path", "/srv/b"}, {"state", "hard"}, {"src", "relative"}}, "src"}}});
  out.push_back({"file",
                 "absent",
                 [](TestTree&) {
                   return json{{"path", "/srv/old"}, {"state", "absent"}};
                 },
                 [](TestTree& t) { t.addFile("/srv/old/inner/file", "x"); },
                 [](TestTree& t) { t.addFile("/srv/old", "back again"); },
                 Outcome::Changed,
                 {{json{{"path", "/"}, {"state", "absent"}}, "path"}}});
  out.push_back({"file",
                 "existing_file_mode",
                 [](TestTree&) {
                   return json{{"path", "/etc/app.conf"}, {"mode", "0640"}};
                 },
                 [](TestTree& t) { t.addFile("/etc/app.conf", "x=1\n", 0600); },
                 [](TestTree& t) { t.chmod("/etc/app.conf", 0666); },
                 Outcome::Changed,
                 {{json{{"path", "/etc/app.conf"}, {"mode", 420}}, "mode"}}});
  for (const std::string kind : {"copy", "template"}) {
    out.push_back(
        {kind,
         "content",
         [](TestTree&) {
           return json{{"dest", "/etc/motd"},
                       {"content", "welcome\n"},
                       {"mode", "0644"},
                       {"checksum", sha256Hex("welcome\n")}};
         },
         [](TestTree& t) { t.addDirectory("/etc"); },
         [](TestTree& t) { t.addFile("/etc/motd", "edited by hand\n"); },
         Outcome::Changed,
         {{json{{"content", "x"}}, "dest"},
          {json{{"dest", "/etc/motd"}, {"content", "x"}, {"mode", "rwx"}}, "mode"},
          {json{{"dest", "/etc/motd"}, {"content", "x"}, {"checksum", sha256Hex("y")}}, "checksum"},
          {json{{"dest", "/etc/motd"},
                {"content", "x"},
                {"validate", "visudo -cf %s; touch /tmp/pwn"}},
           "validate"},
          {json{{"dest", "/etc/motd"}, {"src", "/etc/x"}}, "src"}}});
  }
  out.push_back(
      {"copy",
       "secret_key_0600",
       [kPem](TestTree&) {
         return json{{"dest", "/etc/ssl/private/site.key"}, {"content", kPem}, {"mode", "0600"}};
       },
       [](TestTree& t) { t.addDirectory("/etc/ssl/private", 0700); },
       [](TestTree& t) { t.chmod("/etc/ssl/private/site.key", 0644); },
       Outcome::Changed,
       {}});
  out.push_back(
      {"lineinfile",
       "ensure_line",
       [](TestTree&) {
         return json{{"path", "/etc/app/pool.ini"},
                     {"regexp", "^max_children"},
                     {"line", "max_children = 20"}};
       },
       [](TestTree& t) {
         t.addFile("/etc/app/pool.ini", "[www]\nmax_children = 5\npm = dynamic\n");
       },
       [](TestTree& t) { t.addFile("/etc/app/pool.ini", "[www]\npm = dynamic\n"); },
       Outcome::Changed,
       {{json{{"path", "/etc/app/pool.ini"}}, "line"},
        {json{{"path", "/etc/app/pool.ini"}, {"line", "x"}, {"regexp", "(?P<n>x)"}}, "regexp"},
        {json{{"path", "/etc/app/pool.ini"}, {"line", "x"}, {"state", "gone"}}, "state"}}});
  out.push_back(
      {"blockinfile",
       "block",
       [](TestTree&) {
         return json{{"path", "/etc/hosts"}, {"block", "10.0.0.5 db\n10.0.0.6 cache"}};
       },
       [](TestTree& t) { t.addFile("/etc/hosts", "127.0.0.1 localhost\n"); },
       [](TestTree& t) {
         t.addFile("/etc/hosts",
                   "127.0.0.1 localhost\n# BEGIN ANSIBLE MANAGED BLOCK\n10.0.0.9 db\n# END ANSIBLE "
                   "MANAGED BLOCK\n");
       },
       Outcome::Changed,
       {{json{{"path", "/etc/hosts"}, {"block", "x"}, {"marker", "# managed"}}, "marker"}}});
  out.push_back(
      {"replace",
       "port",
       [](TestTree&) {
         return json{
             {"path", "/etc/app.ini"}, {"regexp", "^port = (\\d+)$"}, {"replace", "port = 8080"}};
       },
       [](TestTree& t) { t.addFile("/etc/app.ini", "[main]\nport = 80\n"); },
       [](TestTree& t) { t.addFile("/etc/app.ini", "[main]\nport = 81\n"); },
       Outcome::Changed,
       {{json{{"path", "/etc/app.ini"}}, "regexp"},
        {json{{"path", "/etc/app.ini"}, {"regexp", "(a)"}, {"replace", "\\2"}}, "replace"}}});
  out.push_back({"command",
                 "creates",
                 [](TestTree& t) {
                   return json{{"argv", {"touch", t.real("/var/done")}}, {"creates", "/var/done"}};
                 },
                 [](TestTree& t) { t.addDirectory("/var"); },
                 [](TestTree& t) { t.remove("/var/done"); },
                 Outcome::Changed,
                 {{json{{"creates", "/x"}}, "argv"},
                  {json{{"argv", {"true"}}, {"timeout", 0}}, "timeout"},
                  {json{{"argv", {"true"}}, {"chdir", "../etc"}}, "chdir"}}});
  out.push_back({"shell",
                 "creates",
                 [](TestTree& t) {
                   return json{{"cmd", "touch " + t.real("/var/done")}, {"creates", "/var/done"}};
                 },
                 [](TestTree& t) { t.addDirectory("/var"); },
                 [](TestTree& t) { t.remove("/var/done"); },
                 Outcome::Changed,
                 {{json{{"argv", {"true"}}}, "cmd"}}});
  out.push_back(
      {"stat",
       "exists",
       [](TestTree&) {
         return json{{"path", "/etc/motd"}};
       },
       [](TestTree& t) { t.addFile("/etc/motd", "hi\n"); },
       nullptr,
       Outcome::Ok,
       {{json{{"path", "/etc/../etc/motd"}}, "path"},
        {json{{"path", "/etc/motd"}, {"checksum_algorithm", "md5"}}, "checksum_algorithm"}}});
  out.push_back({"debug",
                 "msg",
                 [](TestTree&) {
                   return json{{"msg", "hello"}};
                 },
                 [](TestTree&) {},
                 nullptr,
                 Outcome::Ok,
                 {{json{{"msg", "x"}, {"var", "y"}}, "msg"}}});
  out.push_back({"assert",
                 "constant",
                 [](TestTree&) {
                   return json{{"that", {true}}};
                 },
                 [](TestTree&) {},
                 nullptr,
                 Outcome::Ok,
                 {{json{{"fail_msg", "x"}}, "that"},
                  {json{{"that", {{{"field", "x"}, {"op", "bogus"}}}}}, "that"}}});
  out.push_back({"fail",
                 "always",
                 [](TestTree&) {
                   return json{{"msg", "stop here"}};
                 },
                 [](TestTree&) {},
                 nullptr,
                 Outcome::Failed,
                 {{json{{"message", "x"}}, "message"}}});
  out.push_back({"meta",
                 "noop",
                 [](TestTree&) {
                   return json{{"action", "noop"}};
                 },
                 [](TestTree&) {},
                 nullptr,
                 Outcome::Ok,
                 {{json{{"action", "end_play"}}, "action"}}});
  return out;
}

struct Case {
  Sample sample;
  bool posix;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.sample.kind << "/" << c.sample.name << (c.posix ? " on PosixHost" : " on FakeHost");
}

std::string caseName(const ::testing::TestParamInfo<Case>& info) {
  return info.param.sample.kind + "_" + info.param.sample.name +
         (info.param.posix ? "_posix" : "_fake");
}

std::vector<Case> cases() {
  std::vector<Case> out;
  for (const auto& sample : samples()) {
    out.push_back({sample, false});
    out.push_back({sample, true});
  }
  return out;
}

class ContractTest : public ::testing::TestWithParam<Case> {
 protected:
  std::unique_ptr<TestTree> freshTree() {
    auto tree = GetParam().posix ? makePosixTree() : makeFakeTree();
    GetParam().sample.seed(*tree);
    return tree;
  }

  manifest::Manifest manifestFor(TestTree& tree, json params) {
    manifest::Manifest m;
    m.host = "test";
    m.serial = 1;
    m.on_failure = manifest::FailurePolicy::Continue;
    manifest::ResourceSpec spec;
    spec.id = "sample";
    spec.type = GetParam().sample.kind;
    spec.params = params.is_null() ? GetParam().sample.params(tree) : std::move(params);
    spec.pointer = "/resources/0";
    m.resources.push_back(std::move(spec));
    return m;
  }

  agent::RunReport run(TestTree& tree, const manifest::Manifest& m, bool check) {
    agent::ResourceContext context;
    context.max_file_bytes = limits::kDefaultMaxFileBytes;
    auto plan = agent::makePlan(m, agent::builtinRegistry(), context);
    EXPECT_TRUE(plan.has_value()) << (plan ? "" : plan.error().describe());
    if (!plan) return {};
    agent::RunOptions options;
    options.check = check;
    agent::Engine engine(tree.host(), nullptr, options, {});
    return engine.run(*plan);
  }

  static std::set<std::string> changedFields(const agent::RunReport& report) {
    std::set<std::string> out;
    for (const auto& r : report.resources) {
      for (const auto& c : r.changes) out.insert(r.id + ":" + c.field + "=" + c.after);
    }
    return out;
  }
};

TEST_P(ContractTest, BadParametersAreRefusedNamingResourceAndParameter) {
  const auto& sample = GetParam().sample;
  auto tree = freshTree();
  for (const auto& bad : sample.bad) {
    auto m = manifestFor(*tree, bad.params);
    agent::ResourceContext context;
    context.max_file_bytes = limits::kDefaultMaxFileBytes;
    auto plan = agent::makePlan(m, agent::builtinRegistry(), context);
    ASSERT_FALSE(plan.has_value()) << "accepted: " << bad.params.dump();
    const std::string text = plan.error().describe();
    EXPECT_NE(text.find("'sample'"), std::string::npos) << text;
    EXPECT_NE(text.find("'" + bad.parameter + "'"), std::string::npos) << text;
  }
  // Every kind refuses a parameter it does not know.
  json params = sample.params(*tree);
  params["no_such_parameter"] = true;
  agent::ResourceContext context;
  context.max_file_bytes = limits::kDefaultMaxFileBytes;
  auto m = manifestFor(*tree, params);
  auto plan = agent::makePlan(m, agent::builtinRegistry(), context);
  ASSERT_FALSE(plan.has_value());
  EXPECT_NE(plan.error().describe().find("no_such_parameter"), std::string::npos);
}

TEST_P(ContractTest, ObserveChangesNothing) {
  auto tree = freshTree();
  auto m = manifestFor(*tree, nullptr);
  agent::ResourceContext context;
  context.max_file_bytes = limits::kDefaultMaxFileBytes;
  auto plan = agent::makePlan(m, agent::builtinRegistry(), context);
  ASSERT_TRUE(plan.has_value()) << plan.error().describe();
  const std::string before = tree->snapshot();
  auto resource = agent::builtinRegistry().create(m.resources[0], context);
  ASSERT_TRUE(resource.has_value()) << resource.error().describe();
  auto state = (*resource)->observe(tree->host());
  (void)state;  // `fail` fails here by design; what matters is the tree
  EXPECT_EQ(before, tree->snapshot());
}

TEST_P(ContractTest, ApplyConvergesAndSecondRunChangesNothing) {
  const auto& sample = GetParam().sample;
  auto tree = freshTree();
  auto m = manifestFor(*tree, nullptr);
  auto first = run(*tree, m, false);
  ASSERT_EQ(first.resources.size(), 1u);
  EXPECT_EQ(first.resources[0].outcome, sample.first) << first.resources[0].message;
  if (sample.first == Outcome::Failed) return;
  const std::string after_first = tree->snapshot();
  auto second = run(*tree, m, false);
  ASSERT_EQ(second.resources.size(), 1u);
  EXPECT_EQ(second.resources[0].outcome, Outcome::Ok) << second.resources[0].message;
  EXPECT_TRUE(second.resources[0].changes.empty());
  EXPECT_EQ(after_first, tree->snapshot()) << "a no-op run touched the tree";
}

TEST_P(ContractTest, CheckModePredictsApplyAndChangesNothing) {
  auto checked_tree = freshTree();
  auto m = manifestFor(*checked_tree, nullptr);
  const std::string before = checked_tree->snapshot();
  auto predicted = run(*checked_tree, m, true);
  EXPECT_EQ(before, checked_tree->snapshot()) << "check mode changed the tree";
  ASSERT_EQ(predicted.resources.size(), 1u);

  auto applied_tree = freshTree();
  auto applied = run(*applied_tree, manifestFor(*applied_tree, nullptr), false);
  ASSERT_EQ(applied.resources.size(), 1u);
  const auto expected = applied.resources[0].outcome == Outcome::Changed
                            ? Outcome::WouldChange
                            : applied.resources[0].outcome;
  EXPECT_EQ(predicted.resources[0].outcome, expected);
  if (!GetParam().posix ||
      (GetParam().sample.kind != "command" && GetParam().sample.kind != "shell")) {
    EXPECT_EQ(changedFields(predicted), changedFields(applied));
  }
}

TEST_P(ContractTest, HandMadeChangeIsSeenAsDrift) {
  const auto& sample = GetParam().sample;
  if (!sample.drift) GTEST_SKIP() << sample.kind << " has no state to drift";
  auto tree = freshTree();
  auto m = manifestFor(*tree, nullptr);
  auto first = run(*tree, m, false);
  ASSERT_NE(first.resources.at(0).outcome, Outcome::Failed) << first.resources[0].message;
  sample.drift(*tree);
  auto check = run(*tree, m, true);
  ASSERT_EQ(check.resources.size(), 1u);
  EXPECT_EQ(check.resources[0].outcome, Outcome::WouldChange);
  EXPECT_FALSE(check.resources[0].changes.empty());
  auto repair = run(*tree, m, false);
  EXPECT_EQ(repair.resources.at(0).outcome, Outcome::Changed);
  auto after = run(*tree, m, true);
  EXPECT_EQ(after.resources.at(0).outcome, Outcome::Ok);
}

INSTANTIATE_TEST_SUITE_P(EveryKind, ContractTest, ::testing::ValuesIn(cases()), caseName);

TEST(ContractCoverage, EveryRegisteredKindHasSamples) {
  std::set<std::string> covered;
  for (const auto& sample : samples()) covered.insert(sample.kind);
  for (const auto& kind : agent::builtinRegistry().kinds()) {
    EXPECT_TRUE(covered.contains(kind)) << "kind '" << kind << "' has no contract samples";
  }
}

}  // namespace
}  // namespace sc::testing
