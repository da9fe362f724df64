// parseManifest refuses bad input with an exact code and a position: a JSON
// pointer for schema errors, line:col for syntax and encoding errors
// (SECURITY.md B-01, B-02, B-04, B-05, B-06, B-12, B-16).
#include "common/manifest/manifest.h"

#include <gtest/gtest.h>

#include <random>
#include <regex>
#include <string>

#include "common/limits.h"

namespace sc::manifest {
namespace {

// A valid manifest, pretty-printed over many lines, ending without a newline
// so that every strict prefix is invalid JSON.
const std::string kValid = R"({
  "format_version": 1,
  "host": "web1",
  "serial": 42,
  "issued_at": "2024-01-01T00:00:00Z",
  "on_failure": "continue",
  "resources": [
    {"id": "motd", "type": "copy", "name": "Write motd",
     "params": {"dest": "/etc/motd", "content": "hello\nworld\n", "mode": "0644"},
     "notify": ["reload"], "tags": ["base", "motd"]},
    {"id": "check", "type": "command", "params": {"argv": ["true"]}, "register": "out",
     "when": {"all": [{"field": "x.rc", "op": "eq", "value": 0}, {"not": false}]},
     "changed_when": false, "failed_when": {"field": "out.rc", "op": "gt", "value": 1.5},
     "ignore_errors": true, "no_log": true, "check_mode": null}
  ],
  "handlers": [
    {"id": "reload", "type": "command", "params": {"argv": ["systemctl", "reload", "nginx"]}}
  ]
})";

// The document with one top-level member replaced or added (raw JSON text).
std::string withResources(const std::string& resources) {
  return R"({"format_version": 1, "host": "web1", "serial": 1, "resources": )" + resources + "}";
}

TEST(ManifestTest, ParsesTheValidManifestAndRoundTrips) {
  auto m = parseManifest(kValid, "m.json");
  ASSERT_TRUE(m.has_value()) << m.error().describe();
  EXPECT_EQ(m->host, "web1");
  EXPECT_EQ(m->serial, 42u);
  EXPECT_EQ(m->on_failure, FailurePolicy::Continue);
  ASSERT_EQ(m->resources.size(), 2u);
  EXPECT_EQ(m->resources[0].pointer, "/resources/0");
  EXPECT_EQ(m->resources[0].notify, std::vector<std::string>{"reload"});
  EXPECT_EQ(m->resources[1].register_as, "out");
  EXPECT_TRUE(m->resources[1].ignore_errors);
  EXPECT_TRUE(m->resources[1].no_log);
  EXPECT_EQ(m->resources[1].check_mode, CheckModeOverride::Inherit);
  ASSERT_EQ(m->handlers.size(), 1u);
  EXPECT_EQ(m->handlers[0].pointer, "/handlers/0");
  const auto again = parseManifest(toJson(*m).dump(), "again.json");
  ASSERT_TRUE(again.has_value()) << again.error().describe();
  EXPECT_EQ(toJson(*again), toJson(*m));
}

// B-01: every truncation fails with a Parse error at a line:col on the last
// line of what was given.
TEST(ManifestTest, RandomTruncationsFailWithParseErrorsAndPositions) {
  constexpr std::uint32_t kSeed = 20240601;
  std::mt19937 random(kSeed);
  std::uniform_int_distribution<std::size_t> length(0, kValid.size() - 1);
  const std::regex position(R"(^m\.json:(\d+):(\d+)$)");
  for (int i = 0; i < 1000; ++i) {
    const std::size_t cut = length(random);
    SCOPED_TRACE(::testing::Message() << "seed " << kSeed << ", iteration " << i
                                      << ", truncated to " << cut << " bytes");
    const std::string prefix = kValid.substr(0, cut);
    auto m = parseManifest(prefix, "m.json");
    ASSERT_FALSE(m.has_value());
    ASSERT_EQ(m.error().code(), ErrorCode::Parse) << m.error().describe();
    std::smatch match;
    const std::string where = m.error().where();
    ASSERT_TRUE(std::regex_match(where, match, position)) << where;
    const auto lines = static_cast<unsigned long>(std::count(prefix.begin(), prefix.end(), '\n'));
    const unsigned long line = std::stoul(match[1].str());
    // The input ends on its last line (or the one before when it ends with
    // a newline, where nlohmann reports the newline itself).
    EXPECT_TRUE(line == lines + 1 || (line == lines && !prefix.empty() && prefix.back() == '\n'))
        << where << " for " << lines + 1 << " lines";
    EXPECT_FALSE(m.error().message().empty());
  }
}

// B-02: nesting far past the limit is refused without recursion.
TEST(ManifestTest, DeepNestingIsTooDeep) {
  constexpr std::size_t kDepth = 100'000;
  const std::string arrays = std::string(kDepth, '[') + std::string(kDepth, ']');
  std::string objects;
  objects.reserve(kDepth * 6 + 2);
  for (std::size_t i = 0; i < kDepth; ++i) objects += R"({"a":)";
  objects += "1";
  objects += std::string(kDepth, '}');
  const std::string inside =
      withResources("[{\"id\": \"r\", \"type\": \"copy\", \"params\": " + objects + "}]");
  struct Case {
    std::string name;
    std::string text;
    std::string where_prefix;
  };
  const Case cases[] = {
      {"arrays", arrays, "m.json:/0/0/0"},
      {"objects", objects, "m.json:/a/a/a"},
      {"objects in params", inside, "m.json:/resources/0/params/a/a"},
  };
  for (const auto& c : cases) {
    auto m = parseManifest(c.text, "m.json");
    ASSERT_FALSE(m.has_value()) << c.name;
    EXPECT_EQ(m.error().code(), ErrorCode::TooDeep) << c.name;
    EXPECT_EQ(m.error().where().rfind(c.where_prefix, 0), 0u)
        << c.name << ": " << m.error().where();
    EXPECT_NE(m.error().message().find(std::to_string(limits::kMaxJsonDepth)), std::string::npos);
  }
}

// B-04.
TEST(ManifestTest, DuplicateKeysNameTheirPointer) {
  const std::string params =
      R"({"id": "r%", "type": "copy", "params": {"dest": "/etc/x", "content": ""}})";
  std::string list = "[";
  for (int i = 0; i < 3; ++i) {
    list += std::regex_replace(params, std::regex("%"), std::to_string(i)) + ", ";
  }
  list +=
      R"({"id": "r3", "type": "copy", "params": {"dest": "/etc/y", "mode": "0644", "mode": "0600"}}])";
  struct Case {
    std::string text;
    std::string where;
  };
  const Case cases[] = {
      {R"({"format_version": 1, "host": "a", "host": "b", "serial": 1, "resources": []})",
       "m.json:/host"},
      {withResources(list), "m.json:/resources/3/params/mode"},
      {withResources(R"([{"id": "a", "id": "b", "type": "copy"}])"), "m.json:/resources/0/id"},
  };
  for (const auto& c : cases) {
    auto m = parseManifest(c.text, "m.json");
    ASSERT_FALSE(m.has_value()) << c.text;
    EXPECT_EQ(m.error().code(), ErrorCode::Schema);
    EXPECT_EQ(m.error().where(), c.where);
    EXPECT_NE(m.error().describe().find("duplicate key"), std::string::npos);
  }
}

struct SchemaCase {
  std::string name;
  std::string text;
  std::string where;
  std::string message_part;
};

// B-05 at manifest, resource and condition level.
TEST(ManifestTest, SchemaErrorsNameThePointer) {
  const std::string ok_resource = R"({"id": "a", "type": "copy"})";
  const auto third = [&](const std::string& resource) {
    return withResources("[" + ok_resource + R"(, {"id": "b", "type": "copy"}, )" + resource + "]");
  };
  const auto when = [&](const std::string& condition) {
    return third(R"({"id": "c", "type": "debug", "when": )" + condition + "}");
  };
  const SchemaCase cases[] = {
      // Manifest level.
      {"unknown top-level field",
       R"({"format_version": 1, "host": "h", "serial": 1, "resources": [], "colour": 1})",
       "m.json:/colour", "unknown field 'colour'"},
      {"host of the wrong type",
       R"({"format_version": 1, "host": 5, "serial": 1, "resources": []})", "m.json:/host",
       "expected a string"},
      {"missing host", R"({"format_version": 1, "serial": 1, "resources": []})", "m.json:/host",
       "missing required field 'host'"},
      {"serial as a string",
       R"({"format_version": 1, "host": "h", "serial": "1", "resources": []})", "m.json:/serial",
       "serial"},
      {"negative serial", R"({"format_version": 1, "host": "h", "serial": -1, "resources": []})",
       "m.json:/serial", "non-negative"},
      {"missing resources", R"({"format_version": 1, "host": "h", "serial": 1})",
       "m.json:/resources", "missing required field 'resources'"},
      {"resources not an array",
       R"({"format_version": 1, "host": "h", "serial": 1, "resources": {}})", "m.json:/resources",
       "expected an array"},
      {"future format version",
       R"({"format_version": 2, "host": "h", "serial": 1, "resources": []})",
       "m.json:/format_version", "format_version 2 is not supported"},
      {"bad on_failure",
       R"({"format_version": 1, "host": "h", "serial": 1, "resources": [], "on_failure": "panic"})",
       "m.json:/on_failure", "\"stop\" or \"continue\""},
      {"not an object", "[]", "m.json:", "must be a JSON object"},
      // Resource level.
      {"unknown resource field", third(R"({"id": "c", "type": "copy", "colour": "red"})"),
       "m.json:/resources/2/colour", "unknown field 'colour'"},
      {"missing id", third(R"({"type": "copy"})"), "m.json:/resources/2/id",
       "missing required field 'id'"},
      {"type of the wrong type", third(R"({"id": "c", "type": ["copy"]})"),
       "m.json:/resources/2/type", "expected a string, got array"},
      {"params not an object", third(R"({"id": "c", "type": "copy", "params": []})"),
       "m.json:/resources/2/params", "expected an object"},
      {"notify not a list", third(R"({"id": "c", "type": "copy", "notify": "h"})"),
       "m.json:/resources/2/notify", "expected an array of strings"},
      {"tag not a string", third(R"({"id": "c", "type": "copy", "tags": ["a", 1]})"),
       "m.json:/resources/2/tags/1", "expected a string"},
      {"ignore_errors as a string", third(R"({"id": "c", "type": "copy", "ignore_errors": "yes"})"),
       "m.json:/resources/2/ignore_errors", "expected true or false, got string"},
      {"check_mode as a number", third(R"({"id": "c", "type": "copy", "check_mode": 1})"),
       "m.json:/resources/2/check_mode", "expected true, false or null"},
      {"empty id", third(R"({"id": "", "type": "copy"})"), "m.json:/resources/2/id",
       "must not be empty"},
      {"control character in id", third(R"({"id": "a\u001b[2J", "type": "copy"})"),
       "m.json:/resources/2/id", "control character"},
      {"resource not an object", third("7"), "m.json:/resources/2", "expected a resource object"},
      {"notify of a resource that is not a handler",
       withResources(
           R"([{"id": "a", "type": "copy", "notify": ["b"]}, {"id": "b", "type": "copy"}])"),
       "m.json:/resources/0/notify/0", "'a' notifies 'b', which is not a handler"},
      // Condition level.
      {"condition of the wrong type", when(R"("x.rc == 0")"), "m.json:/resources/2/when",
       "expected a condition (boolean or object), got string"},
      {"unknown condition field", when(R"({"field": "x", "op": "eq", "value": 1, "colour": 1})"),
       "m.json:/resources/2/when/colour", "unknown condition field 'colour'"},
      {"missing value", when(R"({"field": "x", "op": "eq"})"), "m.json:/resources/2/when/value",
       "'eq' needs a value"},
      {"missing field", when(R"({"op": "defined"})"), "m.json:/resources/2/when/field",
       "missing required string 'field'"},
      {"field of the wrong type", when(R"({"field": 5, "op": "defined"})"),
       "m.json:/resources/2/when/field", "missing required string 'field'"},
      {"unknown operator nested", when(R"({"any": [true, {"all": [{"field": "x", "op": "~="}]}]})"),
       "m.json:/resources/2/when/any/1/all/0/op", "unknown operator '~='"},
      {"unary operator with a value", when(R"({"field": "x", "op": "defined", "value": 1})"),
       "m.json:/resources/2/when/value", "'defined' takes no value"},
      {"all not a list", when(R"({"all": {"field": "x", "op": "defined"}})"),
       "m.json:/resources/2/when/all", "expected an array of conditions"},
      {"bad field path", when(R"({"field": "x..y", "op": "defined"})"),
       "m.json:/resources/2/when/field", "bad field path 'x..y'"},
      {"bad regex", when(R"({"field": "x", "op": "search", "value": "(unclosed"})"),
       "m.json:/resources/2/when/value", "bad regular expression"},
      // Late-bound parameters and loop registration.
      {"late not a list", third(R"({"id": "c", "type": "copy", "late": {}})"),
       "m.json:/resources/2/late", "expected an array of bindings"},
      {"late param not a pointer",
       third(
           R"({"id": "c", "type": "copy", "late": [{"param": "dest", "parts": [{"field": "x"}]}]})"),
       "m.json:/resources/2/late/0/param", "expected a JSON pointer"},
      {"late unknown filter",
       third(
           R"({"id": "c", "type": "copy", "late": [{"param": "/dest", "parts": [{"field": "x", "filters": ["shout"]}]}]})"),
       "m.json:/resources/2/late/0/parts/0/filters/0", "unknown filter 'shout'"},
      {"late default without its argument",
       third(
           R"({"id": "c", "type": "copy", "late": [{"param": "/dest", "parts": [{"field": "x", "filters": ["default"]}]}]})"),
       "m.json:/resources/2/late/0/parts/0/filters/0", "filter 'default' needs an argument"},
      {"late without a field",
       third(R"({"id": "c", "type": "copy", "late": [{"param": "/dest", "parts": ["/etc"]}]})"),
       "m.json:/resources/2/late/0/parts", "no part reads a field"},
      {"loop without register",
       third(
           R"({"id": "c", "type": "copy", "loop": {"task": "t", "index": 0, "count": 1, "item": 1}})"),
       "m.json:/resources/2/loop", "only for resources that register"},
      {"loop index past its count",
       third(
           R"({"id": "c", "type": "copy", "register": "r", "loop": {"task": "t", "index": 3, "count": 3}})"),
       "m.json:/resources/2/loop/index", "index 3 is not below count 3"},
      {"regex not a string",
       third(
           R"({"id": "c", "type": "debug", "failed_when": {"field": "x", "op": "match", "value": 1}})"),
       "m.json:/resources/2/failed_when/value", "a regular expression must be a string"},
  };
  for (const auto& c : cases) {
    auto m = parseManifest(c.text, "m.json");
    ASSERT_FALSE(m.has_value()) << c.name;
    EXPECT_EQ(m.error().code(), ErrorCode::Schema) << c.name << ": " << m.error().describe();
    EXPECT_EQ(m.error().where(), c.where) << c.name;
    EXPECT_NE(m.error().message().find(c.message_part), std::string::npos)
        << c.name << ": " << m.error().message();
  }
}

TEST(ManifestTest, LateBindingsAndLoopItemsRoundTrip) {
  const std::string text = withResources(R"([
    {"id": "tmp", "type": "command", "params": {"argv": ["mktemp", "-d"]}, "register": "tmp",
     "loop": {"task": "p1-t1", "index": 1, "count": 2, "var": "dir", "item": {"n": 1}}},
    {"id": "conf", "type": "copy", "params": {"dest": null, "content": "x"},
     "late": [{"param": "/dest", "parts": [{"field": "tmp.results[1].stdout",
               "filters": ["trim", {"name": "default", "argument": "/tmp"}]}, "/app.conf"]}]}
  ])");
  auto m = parseManifest(text, "m.json");
  ASSERT_TRUE(m.has_value()) << m.error().describe();
  const auto& tmp = m->resources[0];
  ASSERT_TRUE(tmp.loop);
  EXPECT_EQ(tmp.loop->index, 1u);
  EXPECT_EQ(tmp.loop->count, 2u);
  EXPECT_EQ(tmp.loop->var, "dir");
  EXPECT_EQ(tmp.loop->item, nlohmann::json({{"n", 1}}));
  const auto& conf = m->resources[1];
  ASSERT_EQ(conf.late.size(), 1u);
  EXPECT_EQ(conf.late[0].param, "/dest");
  ASSERT_EQ(conf.late[0].parts.size(), 2u);
  EXPECT_EQ(conf.late[0].parts[0].path.size(), 4u);
  EXPECT_EQ(conf.late[0].parts[0].filters.size(), 2u);
  EXPECT_EQ(conf.late[0].parts[1].text, "/app.conf");
  const auto again = parseManifest(toJson(*m).dump(), "again.json");
  ASSERT_TRUE(again.has_value()) << again.error().describe();
  EXPECT_EQ(toJson(*again), toJson(*m));
  EXPECT_EQ(toJson(*m)["resources"][1]["late"][0]["parts"][0]["filters"][1]["argument"], "/tmp");
}

TEST(ManifestTest, DuplicateIdsAcrossResourcesAndHandlersConflict) {
  const std::string text = R"({"format_version": 1, "host": "h", "serial": 1,
    "resources": [{"id": "x", "type": "copy"}],
    "handlers": [{"id": "x", "type": "command"}]})";
  auto m = parseManifest(text, "m.json");
  ASSERT_FALSE(m.has_value());
  EXPECT_EQ(m.error().code(), ErrorCode::Conflict);
  EXPECT_EQ(m.error().where(), "m.json:/handlers/0/id");
  EXPECT_NE(m.error().message().find("duplicate resource id 'x'"), std::string::npos);
}

struct EncodingCase {
  std::string name;
  std::string bad;  // bytes put inside the host string
};

// B-06: invalid UTF-8 and overlong encodings inside strings are Encoding
// errors at the offending byte's line:col.
TEST(ManifestTest, InvalidUtf8IsAnEncodingErrorWithPosition) {
  const EncodingCase cases[] = {
      {"stray continuation byte", "\x80"},      {"invalid byte 0xff", "\xFF"},
      {"overlong slash (2 bytes)", "\xC0\xAF"}, {"overlong slash (3 bytes)", "\xE0\x80\xAF"},
      {"overlong NUL (2 bytes)", "\xC0\x80"},   {"UTF-16 surrogate", "\xED\xA0\x80"},
      {"above U+10FFFF", "\xF4\x90\x80\x80"},   {"truncated sequence", "\xE2\x82"},
  };
  const std::string head = "{\"format_version\": 1,\n  \"host\": \"ab";
  for (const auto& c : cases) {
    const std::string text = head + c.bad + "cd\", \"serial\": 1, \"resources\": []}";
    auto m = parseManifest(text, "m.json");
    ASSERT_FALSE(m.has_value()) << c.name;
    EXPECT_EQ(m.error().code(), ErrorCode::Encoding) << c.name << ": " << m.error().describe();
    // Line 2; the host string starts at column 12 ("  \"host\": \"" is 11 bytes).
    EXPECT_EQ(m.error().where().rfind("m.json:2:", 0), 0u) << c.name << ": " << m.error().where();
    const int column = std::stoi(m.error().where().substr(9));
    EXPECT_GE(column, 14) << c.name;
    EXPECT_LE(column, 14 + static_cast<int>(c.bad.size())) << c.name;
  }
}

TEST(ManifestTest, ByteOrderMarkIsAnEncodingError) {
  auto m = parseManifest("\xEF\xBB\xBF" + withResources("[]"), "m.json");
  ASSERT_FALSE(m.has_value());
  EXPECT_EQ(m.error().code(), ErrorCode::Encoding);
  EXPECT_EQ(m.error().where(), "m.json:1:1");
  EXPECT_NE(m.error().message().find("byte-order mark"), std::string::npos);
}

TEST(ManifestTest, RawControlCharacterInAStringIsAParseError) {
  std::string text = withResources("[]");
  text.insert(text.find("web1") + 2, std::string(1, '\0'));
  auto m = parseManifest(text, "m.json");
  ASSERT_FALSE(m.has_value());
  EXPECT_EQ(m.error().code(), ErrorCode::Parse) << m.error().describe();
  EXPECT_EQ(m.error().where().rfind("m.json:1:", 0), 0u) << m.error().where();
}

// B-12: a manifest over the cap is refused before parsing.
TEST(ManifestTest, ManifestOverTheSizeLimitIsTooLarge) {
  std::string text = withResources("[]");
  text.resize(limits::kMaxManifestBytes + 1, ' ');  // valid JSON apart from its size
  auto m = parseManifest(text, "big.json");
  ASSERT_FALSE(m.has_value());
  EXPECT_EQ(m.error().code(), ErrorCode::TooLarge);
  EXPECT_EQ(m.error().where(), "big.json");
  EXPECT_EQ(m.error().message(),
            fmt::format("document is {} bytes, over the limit of {}", limits::kMaxManifestBytes + 1,
                        limits::kMaxManifestBytes));
}

// B-16: no resources is a valid manifest.
TEST(ManifestTest, EmptyResourceListParses) {
  auto m = parseManifest(withResources("[]"), "m.json");
  ASSERT_TRUE(m.has_value()) << m.error().describe();
  EXPECT_TRUE(m->resources.empty());
  EXPECT_TRUE(m->handlers.empty());
}

// Blocks: a resource's enclosing sections, outermost first.
const std::string kBlocks = R"({"format_version": 1, "host": "web1", "serial": 1, "resources": [
  {"id": "before", "type": "debug", "block": []},
  {"id": "work", "type": "command", "params": {"argv": ["true"]},
   "block": [{"id": "outer", "part": "block"}, {"part": "block", "id": "inner"}]},
  {"id": "fix", "type": "debug", "block": [{"id": "outer", "part": "block"}, {"id": "inner", "part": "rescue"}]},
  {"id": "more", "type": "debug", "block": [{"id": "outer", "part": "block"}]},
  {"id": "cleanup", "type": "debug", "block": [{"id": "outer", "part": "always"}]},
  {"id": "other", "type": "debug", "block": [{"id": "next", "part": "rescue"}]},
  {"id": "after", "type": "debug"}
]})";

TEST(ManifestTest, BlocksParseAndRoundTrip) {
  auto m = parseManifest(kBlocks, "m.json");
  ASSERT_TRUE(m.has_value()) << m.error().describe();
  ASSERT_EQ(m->resources.size(), 7u);
  using Sections = std::vector<BlockSection>;
  EXPECT_EQ(m->resources[0].block, Sections{});
  EXPECT_EQ(m->resources[1].block,
            (Sections{{"outer", BlockPart::Block}, {"inner", BlockPart::Block}}));
  EXPECT_EQ(m->resources[2].block,
            (Sections{{"outer", BlockPart::Block}, {"inner", BlockPart::Rescue}}));
  EXPECT_EQ(m->resources[4].block, (Sections{{"outer", BlockPart::Always}}));
  EXPECT_EQ(m->resources[5].block, (Sections{{"next", BlockPart::Rescue}}));
  EXPECT_EQ(m->resources[6].block, Sections{});

  const nlohmann::json canonical = toJson(*m);
  // Canonical: no "block" when empty, each section an {"id", "part"} object.
  EXPECT_FALSE(canonical["resources"][0].contains("block"));
  EXPECT_EQ(canonical["resources"][2]["block"],
            nlohmann::json::parse(
                R"([{"id": "outer", "part": "block"}, {"id": "inner", "part": "rescue"}])"));
  auto again = parseManifest(canonical.dump(), "again.json");
  ASSERT_TRUE(again.has_value()) << again.error().describe();
  ASSERT_EQ(again->resources.size(), m->resources.size());
  for (std::size_t i = 0; i < m->resources.size(); ++i) {
    EXPECT_EQ(again->resources[i].block, m->resources[i].block) << i;
  }
  EXPECT_EQ(toJson(*again), canonical);
  EXPECT_EQ(blockPartName(BlockPart::Block), "block");
  EXPECT_EQ(blockPartName(BlockPart::Rescue), "rescue");
  EXPECT_EQ(blockPartName(BlockPart::Always), "always");
}

// Every malformed block is refused with the pointer of the offending value.
TEST(ManifestTest, MalformedBlocksNameThePointer) {
  const auto one = [](const std::string& block) {
    return withResources(
        R"([{"id": "a", "type": "debug"}, {"id": "b", "type": "debug", "block": )" + block + "}]");
  };
  const auto list = [](std::initializer_list<std::string> blocks) {
    std::string out = "[";
    int i = 0;
    for (const auto& block : blocks) {
      out += fmt::format(R"({}{{"id": "r{}", "type": "debug"{}}})", i == 0 ? "" : ", ", i,
                         block.empty() ? "" : ", \"block\": " + block);
      ++i;
    }
    return withResources(out + "]");
  };
  const std::string b1 = R"({"id": "b1", "part": "block"})";
  const std::string r1 = R"({"id": "b1", "part": "rescue"})";
  const std::string a1 = R"({"id": "b1", "part": "always"})";
  const std::string b2 = R"({"id": "b2", "part": "block"})";
  const std::string r2 = R"({"id": "b2", "part": "rescue"})";
  const SchemaCase cases[] = {
      // Form.
      {"block not an array", one(b1), "m.json:/resources/1/block",
       "expected an array of block sections, got object"},
      {"section not an object", one(R"(["b1"])"), "m.json:/resources/1/block/0",
       "expected a block section"},
      {"unknown section field", one(R"([{"id": "b1", "part": "block", "name": "x"}])"),
       "m.json:/resources/1/block/0/name", "unknown field 'name'; expected one of: id, part"},
      {"missing section id", one(R"([{"part": "block"}])"), "m.json:/resources/1/block/0/id",
       "missing required field 'id'"},
      {"section id of the wrong type", one(R"([{"id": 1, "part": "block"}])"),
       "m.json:/resources/1/block/0/id", "expected a string, got number"},
      {"empty section id", one(R"([{"id": "", "part": "block"}])"),
       "m.json:/resources/1/block/0/id", "block id must not be empty"},
      {"missing part", one(R"([{"id": "b1"}])"), "m.json:/resources/1/block/0/part",
       "missing required field 'part'"},
      {"part of the wrong type", one(R"([{"id": "b1", "part": true}])"),
       "m.json:/resources/1/block/0/part", "expected a string, got boolean"},
      {"unknown part", one(R"([{"id": "b1", "part": "finally"}])"),
       "m.json:/resources/1/block/0/part",
       "unknown block part 'finally'; expected block, rescue or always"},
      {"handler in a block",
       R"({"format_version": 1, "host": "h", "serial": 1, "resources": [],
           "handlers": [{"id": "h", "type": "debug", "block": []}]})",
       "m.json:/handlers/0/block", "handler 'h' has 'block'; handlers cannot be in a block"},
      // Structure.
      {"rescue before block", list({"[" + r1 + "]", "[" + b1 + "]"}),
       "m.json:/resources/1/block/0/part", "block 'b1': part 'block' after part 'rescue'"},
      {"always before rescue", list({"[" + a1 + "]", "[" + r1 + "]"}),
       "m.json:/resources/1/block/0/part", "block 'b1': part 'rescue' after part 'always'"},
      {"a resource outside the block in between", list({"[" + b1 + "]", "", "[" + r1 + "]"}),
       "m.json:/resources/2/block/0/id",
       "block 'b1' continues here after resources outside it (its previous resource is "
       "/resources/0)"},
      {"another block in between", list({"[" + b1 + "]", "[" + b2 + "]", "[" + a1 + "]"}),
       "m.json:/resources/2/block/0/id", "the resources of a block must be contiguous"},
      {"nested in another part", list({"[" + b1 + ", " + b2 + "]", "[" + r1 + ", " + r2 + "]"}),
       "m.json:/resources/1/block/1",
       "block 'b2' is inside 'b1' (rescue) here but inside 'b1' (block) at /resources/0"},
      {"nested at another depth", list({"[" + b1 + ", " + b2 + "]", "[" + r2 + "]"}),
       "m.json:/resources/1/block/0",
       "block 'b2' is inside no block here but inside 'b1' (block) at /resources/0"},
      {"a block inside itself", list({"[" + b1 + ", " + r1 + "]"}),
       "m.json:/resources/0/block/1/id", "block 'b1' is inside itself"},
  };
  for (const auto& c : cases) {
    auto m = parseManifest(c.text, "m.json");
    ASSERT_FALSE(m.has_value()) << c.name;
    EXPECT_EQ(m.error().code(), ErrorCode::Schema) << c.name << ": " << m.error().describe();
    EXPECT_EQ(m.error().where(), c.where) << c.name << ": " << m.error().describe();
    EXPECT_NE(m.error().message().find(c.message_part), std::string::npos)
        << c.name << ": " << m.error().message();
  }
}

TEST(ManifestTest, BlocksNestedPastTheLimitAreTooDeep) {
  const auto nested = [](std::size_t depth) {
    std::string sections;
    for (std::size_t i = 0; i < depth; ++i) {
      sections += fmt::format(R"({}{{"id": "b{}", "part": "block"}})", i == 0 ? "" : ", ", i);
    }
    return withResources(
        R"([{"id": "a", "type": "debug"}, {"id": "b", "type": "debug", "block": [)" + sections +
        "]}]");
  };
  auto deepest = parseManifest(nested(limits::kMaxBlockDepth), "m.json");
  ASSERT_TRUE(deepest.has_value()) << deepest.error().describe();
  EXPECT_EQ(deepest->resources[1].block.size(), limits::kMaxBlockDepth);
  auto m = parseManifest(nested(limits::kMaxBlockDepth + 1), "m.json");
  ASSERT_FALSE(m.has_value());
  EXPECT_EQ(m.error().code(), ErrorCode::TooDeep) << m.error().describe();
  EXPECT_EQ(m.error().where(), "m.json:/resources/1/block");
  EXPECT_EQ(m.error().message(), "65 block sections, over the limit of 64");

  // A manifest built in code is checked too.
  Manifest built;
  built.host = "h";
  built.resources.resize(1);
  built.resources[0].id = "r";
  built.resources[0].pointer = "/resources/0";
  for (std::size_t i = 0; i <= limits::kMaxBlockDepth; ++i) {
    built.resources[0].block.push_back({fmt::format("b{}", i), BlockPart::Block});
  }
  const auto checked = checkBlocks(built);
  ASSERT_FALSE(checked.has_value());
  EXPECT_EQ(checked.error().code(), ErrorCode::TooDeep);
  EXPECT_EQ(checked.error().where(), "/resources/0/block");
}

// A block may lack any of its parts; sibling blocks and blocks nested in a
// rescue or always part are fine.
TEST(ManifestTest, WellFormedBlockShapesParse) {
  const std::string text = withResources(R"([
    {"id": "a", "type": "debug", "block": [{"id": "only-always", "part": "always"}]},
    {"id": "b", "type": "debug", "block": [{"id": "s1", "part": "block"}]},
    {"id": "c", "type": "debug", "block": [{"id": "s2", "part": "block"}]},
    {"id": "d", "type": "debug", "block": [{"id": "o", "part": "rescue"}, {"id": "i", "part": "block"}]},
    {"id": "e", "type": "debug", "block": [{"id": "o", "part": "rescue"}, {"id": "i", "part": "always"}]},
    {"id": "f", "type": "debug", "block": [{"id": "o", "part": "always"}, {"id": "j", "part": "rescue"}]}
  ])");
  auto m = parseManifest(text, "m.json");
  ASSERT_TRUE(m.has_value()) << m.error().describe();
}

}  // namespace
}  // namespace sc::manifest
