// file_support: modes (octal and symbolic), owner and group names, validate
// templates (SECURITY.md B-08, B-11, T-27), and non-regular files where a
// file is expected on FakeHost (B-22).
#include "agent/resources/file_support.h"

#include <gtest/gtest.h>

#include "tests/unit/unit_support.h"

namespace sc::testing {
namespace {

using agent::resolveMode;
using nlohmann::json;

struct ModeCase {
  std::string spec;
  mode_t current;
  bool is_directory;
  mode_t expected;
};

TEST(ResolveModeTest, OctalAndSymbolicModes) {
  const ModeCase cases[] = {
      {"0644", 0, false, 0644},
      {"644", 07777, false, 0644},
      {"1777", 0, true, 01777},
      {"4755", 0, false, 04755},
      {"0000", 0777, false, 0},
      {"u=rw,g=r,o=", 0, false, 0640},
      {"u=rwx,go=rx", 0, true, 0755},
      {"u+x", 0644, false, 0744},
      {"+x", 0644, false, 0755},  // no class means 'a'
      {"a-w", 0664, false, 0444},
      {"-w", 0664, false, 0444},
      {"go-rwx", 0755, false, 0700},
      {"ug+w,o-r", 0444, false, 0660},
      {"u+x,u-x", 0644, false, 0644},
      // X: execute only for directories or files something may execute.
      {"go=rX", 0600, false, 0644},
      {"go=rX", 0700, false, 0755},
      {"go=rX", 0700, true, 0755},
      {"a+X", 0644, false, 0644},
      {"a+X", 0644, true, 0755},
      // s and t.
      {"u+s", 0755, false, 04755},
      {"g+s", 0755, true, 02755},
      {"+t", 0777, true, 01777},
      {"o+t", 0755, true, 01755},
      {"u+t", 0755, true, 0755},  // t belongs to o
      {"ug+s", 0755, false, 06755},
      // '=' clears the named classes, set-id bits included, and nothing else.
      {"u=rw", 04755, false, 0655},
      {"g=r", 02775, true, 0745},
      {"o=", 01777, true, 0770},
      {"=r", 07777, false, 0444},
      {"u=rwx,g=,o=", 06777, false, 0700},
  };
  for (const auto& c : cases) {
    auto mode = resolveMode(c.spec, c.current, c.is_directory);
    ASSERT_TRUE(mode.has_value()) << c.spec << ": " << mode.error().describe();
    EXPECT_EQ(agent::modeText(*mode), agent::modeText(c.expected))
        << c.spec << " from " << agent::modeText(c.current) << (c.is_directory ? " (dir)" : "");
  }
}

TEST(ResolveModeTest, BadModesAreSchemaErrors) {
  const std::pair<std::string, std::string> cases[] = {
      {"0999", "bad mode '0999'"},
      {"9", "bad mode '9'"},
      {"64", "bad mode '64'"},
      {"06444", "bad mode '06444'"},
      {"0o644", "bad mode '0o644'"},
      {"", "mode is empty"},
      {"rwx", "bad mode clause 'rwx': unexpected 'r'"},
      {"u=rwz", "bad mode clause 'u=rwz': unknown permission 'z'"},
      {"k+x", "bad mode clause 'k+x': unexpected 'k'"},
      {"u", "bad mode clause 'u': expected an operator (+, - or =)"},
      {"u=rw,", "bad mode clause '': expected an operator (+, - or =)"},
      {"g=u", "bad mode clause 'g=u': unknown permission 'u'"},
  };
  for (const auto& [spec, message] : cases) {
    auto mode = resolveMode(spec, 0644, false);
    ASSERT_FALSE(mode.has_value()) << spec;
    EXPECT_EQ(mode.error().code(), ErrorCode::Schema);
    EXPECT_EQ(mode.error().message().rfind(message, 0), 0u) << mode.error().message();
  }
}

// B-08 through the copy kind: the error names the parameter and its pointer.
TEST(AttrSpecTest, BadModesNameTheModeParameter) {
  for (const json& mode : {json("0999"), json("rwx"), json("u=rwz"), json(420), json("")}) {
    const auto m = makeManifest(
        {makeSpec("ok", "copy", {{"dest", "/etc/a"}, {"content", ""}}),
         makeSpec("other", "copy", {{"dest", "/etc/b"}, {"content", ""}}),
         makeSpec("motd", "copy", {{"dest", "/etc/motd"}, {"content", "x"}, {"mode", mode}})});
    auto plan = planFor(m);
    ASSERT_FALSE(plan.has_value()) << mode.dump();
    EXPECT_EQ(plan.error().code(), ErrorCode::Schema) << mode.dump();
    EXPECT_EQ(plan.error().where(), "/resources/2/params/mode");
    EXPECT_NE(plan.error().message().find("resource 'motd' (copy): parameter 'mode'"),
              std::string::npos)
        << plan.error().message();
  }
}

// B-11 / T-27: names that could be read as shell syntax or options.
TEST(AttrSpecTest, BadOwnerAndGroupNamesAreSchemaErrors) {
  const std::string names[] = {
      "a;b", "a|b", "$(id)", "`id`", "a\nb", "-rf", std::string(33, 'a'),
      "a b", "a&b", "a/b",   "a:b",  "",     "'a'", "4294967295",
  };
  for (const std::string key : {"owner", "group"}) {
    for (const auto& name : names) {
      const auto m = makeManifest(
          {makeSpec("motd", "copy", {{"dest", "/etc/motd"}, {"content", "x"}, {key, name}})});
      auto plan = planFor(m);
      ASSERT_FALSE(plan.has_value()) << key << " '" << name << "'";
      EXPECT_EQ(plan.error().code(), ErrorCode::Schema);
      EXPECT_EQ(plan.error().where(), "/resources/0/params/" + key);
      EXPECT_NE(plan.error().message().find("parameter '" + key + "'"), std::string::npos);
    }
  }
  for (const std::string& good : std::vector<std::string>{"www-data", "root", "_apt", "user.name",
                                                          "1000", std::string(32, 'a')}) {
    const auto m = makeManifest(
        {makeSpec("motd", "copy", {{"dest", "/etc/motd"}, {"content", "x"}, {"owner", good}})});
    EXPECT_TRUE(planFor(m).has_value()) << good;
  }
}

TEST(AttrSpecTest, UnknownUserOrGroupFailsAtObserve) {
  for (const auto& [key, message] :
       {std::pair<std::string, std::string>{"owner", "unknown user 'ghost'"},
        std::pair<std::string, std::string>{"group", "unknown group 'ghost'"}}) {
    FakeHost host;
    host.addDirectory("/etc");
    const auto m = makeManifest(
        {makeSpec("motd", "copy", {{"dest", "/etc/motd"}, {"content", "x"}, {key, "ghost"}})});
    auto plan = planFor(m);
    ASSERT_TRUE(plan.has_value()) << plan.error().describe();
    const auto generation = host.generation();
    const auto resource = createResource(m.resources[0]);
    ASSERT_NE(resource, nullptr);
    auto state = resource->observe(host);
    ASSERT_FALSE(state.has_value());
    EXPECT_EQ(state.error().code(), ErrorCode::NotFound);
    EXPECT_EQ(state.error().message(), message);
    EXPECT_EQ(host.generation(), generation);
    // Through the engine: failed, nothing written.
    const auto report = runManifest(host, m);
    ASSERT_EQ(report.resources.size(), 1u);
    EXPECT_EQ(report.resources[0].outcome, agent::Outcome::Failed);
    EXPECT_EQ(report.resources[0].reason, "not_found");
    EXPECT_EQ(host.find("/etc/motd"), nullptr);
  }
}

TEST(SplitValidateCommandTest, AcceptsArgvTemplates) {
  const std::pair<std::string, std::vector<std::string>> cases[] = {
      {"visudo -cf %s", {"visudo", "-cf", "%s"}},
      {"nginx -t -c %s", {"nginx", "-t", "-c", "%s"}},
      {"/usr/sbin/apachectl -t -f '%s'", {"/usr/sbin/apachectl", "-t", "-f", "%s"}},
      {"check \"two words\" %s", {"check", "two words", "%s"}},
      {"check a\\ b\t%s", {"check", "a b", "%s"}},
      {"sh -n %s", {"sh", "-n", "%s"}},  // a syntax check, not running the file
  };
  for (const auto& [command, argv] : cases) {
    auto split = agent::splitValidateCommand(command);
    ASSERT_TRUE(split.has_value()) << command << ": " << split.error().describe();
    EXPECT_EQ(*split, argv) << command;
  }
}

TEST(SplitValidateCommandTest, RefusesShellStringsAndBadPlaceholders) {
  const std::pair<std::string, std::string> cases[] = {
      {"nginx -t -c %s; touch /tmp/pwn", "'%s' must be a whole argument"},
      {"bash -c 'visudo -cf %s'", "'%s' must be a whole argument"},
      {"sh -c '%s'", "must not run a shell"},
      {"/bin/bash -ec %s", "must not run a shell"},
      {"visudo -cf", "must contain '%s' exactly once"},
      {"diff %s %s", "must contain '%s' exactly once"},
      {"", "must contain '%s' exactly once"},
      {"%s --check", "must not start with '%s'"},
      {"visudo -cf '%s", "unbalanced quotes"},
      {"check --file=%s", "'%s' must be a whole argument"},
  };
  for (const auto& [command, message] : cases) {
    auto split = agent::splitValidateCommand(command);
    ASSERT_FALSE(split.has_value()) << command;
    EXPECT_EQ(split.error().code(), ErrorCode::Schema) << command;
    EXPECT_NE(split.error().message().find(message), std::string::npos)
        << command << ": " << split.error().message();
  }
}

TEST(SplitValidateCommandTest, BadTemplatesAreRefusedAtValidate) {
  for (const std::string command :
       {"nginx -t -c %s; touch /tmp/pwn", "sh -c '%s'", "nginx -t", "diff %s %s"}) {
    for (const std::string kind : {"copy", "lineinfile"}) {
      json params = kind == "copy" ? json{{"dest", "/etc/nginx.conf"}, {"content", "x"}}
                                   : json{{"path", "/etc/nginx.conf"}, {"line", "x"}};
      params["validate"] = command;
      const auto m = makeManifest({makeSpec("conf", kind, params)});
      auto plan = planFor(m);
      ASSERT_FALSE(plan.has_value()) << kind << ": " << command;
      EXPECT_EQ(plan.error().code(), ErrorCode::Schema);
      EXPECT_EQ(plan.error().where(), "/resources/0/params/validate");
    }
  }
}

// B-22 on FakeHost: a FIFO, a device or a directory where a file is expected.
TEST(SpecialFilesTest, NonRegularFilesAreRefusedOnFakeHost) {
  struct Case {
    std::string name;
    agent::FileType type;
    std::string kind;
    ErrorCode code;
    std::string message_part;
  };
  const Case cases[] = {
      {"fifo", agent::FileType::Fifo, "copy", ErrorCode::UnsupportedFileType, "is a fifo"},
      {"fifo", agent::FileType::Fifo, "lineinfile", ErrorCode::UnsupportedFileType, "is a fifo"},
      {"null", agent::FileType::CharDevice, "copy", ErrorCode::UnsupportedFileType,
       "is a character device"},
      {"null", agent::FileType::CharDevice, "blockinfile", ErrorCode::UnsupportedFileType,
       "is a character device"},
      {"sock", agent::FileType::Socket, "replace", ErrorCode::UnsupportedFileType, "is a socket"},
      {"dir", agent::FileType::Directory, "copy", ErrorCode::UnsupportedFileType,
       "is a directory, not a regular file"},
      {"fifo", agent::FileType::Fifo, "file", ErrorCode::UnsupportedFileType,
       "refusing to manage it"},
      {"dir", agent::FileType::Directory, "file", ErrorCode::Conflict, "is a directory"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.kind + " on " + c.name);
    FakeHost host;
    host.addDirectory("/srv");
    FakeHost::Node node;
    node.type = c.type;
    node.mode = 0644;
    host.addNode("/srv/" + c.name, node);
    const std::string path = "/srv/" + c.name;
    json params;
    if (c.kind == "copy") params = {{"dest", path}, {"content", "x"}};
    if (c.kind == "lineinfile") params = {{"path", path}, {"line", "x"}};
    if (c.kind == "blockinfile") params = {{"path", path}, {"block", "x"}};
    if (c.kind == "replace") params = {{"path", path}, {"regexp", "x"}};
    if (c.kind == "file" && c.type == agent::FileType::Directory) {
      params = {{"path", path}, {"state", "link"}, {"src", "/x"}};
    } else if (c.kind == "file") {
      params = {{"path", path}, {"state", "file"}};
    }
    const auto m = makeManifest({makeSpec("r", c.kind, params)});
    auto plan = planFor(m);
    ASSERT_TRUE(plan.has_value()) << plan.error().describe();
    const auto resource = createResource(m.resources[0]);
    ASSERT_NE(resource, nullptr);
    auto state = resource->observe(host);
    ASSERT_FALSE(state.has_value());
    EXPECT_EQ(state.error().code(), c.code) << state.error().describe();
    EXPECT_NE(state.error().message().find(c.message_part), std::string::npos)
        << state.error().message();
    const auto generation = host.generation();
    const auto report = runManifest(host, m);
    ASSERT_EQ(report.resources.size(), 1u);
    EXPECT_EQ(report.resources[0].outcome, agent::Outcome::Failed);
    EXPECT_EQ(report.resources[0].reason, std::string(reasonCode(c.code)));
    EXPECT_EQ(host.generation(), generation);
    EXPECT_EQ(host.find(path)->type, c.type);
  }
}

}  // namespace
}  // namespace sc::testing
