// The agent's side of late-bound parameters: every filter and the rules for
// turning registered values into text, checked against what Ansible 2.14
// renders for the same expression (values noted beside each case).
#include "common/manifest/late_binding.h"

#include <gtest/gtest.h>

namespace sc::manifest {
namespace {

using nlohmann::json;

const json kRegistered = json::parse(R"({
  "out": {"stdout": "  /srv/app/releases/v2 \n", "rc": 0, "stdout_lines": ["a", "b c"],
          "changed": true, "ratio": 0.5, "nothing": null, "word": "It's",
          "name": "Ünïcode"},
  "st": {"stat": {"exists": false}}
})");

// The value one binding of `parts` gives the parameter "/p".
Result<json> bound(const json& parts) {
  auto bindings = parseLateBindings(json::array({{{"param", "/p"}, {"parts", parts}}}), "/late");
  if (!bindings) return tl::unexpected(bindings.error());
  SC_TRY_ASSIGN(json params, bindLateParams(json{{"p", nullptr}}, *bindings, kRegistered));
  return params["p"];
}

json field(const std::string& name, json filters = json::array()) {
  return json{{"field", name}, {"filters", std::move(filters)}};
}

TEST(LateBindingTest, FiltersGiveWhatJinjaGives) {
  struct Case {
    json part;
    json expected;
  };
  const Case cases[] = {
      {field("out.stdout", json::array({"trim"})), "/srv/app/releases/v2"},
      {field("out.stdout", json::array({"trim", "basename"})), "v2"},
      {field("out.stdout", json::array({"trim", "dirname"})), "/srv/app/releases"},
      {field("out.stdout", json::array({"trim", "upper"})), "/SRV/APP/RELEASES/V2"},
      {field("out.stdout_lines", json::array({"first"})), "a"},
      {field("out.stdout_lines", json::array({"last"})), "b c"},
      {field("out.stdout_lines", json::array({"length"})), "2"},  // a lone number arrives as text
      {field("out.name", json::array({"length"})), "7"},          // characters, not bytes
      {field("out.name", json::array({"first"})), "Ü"},
      {field("out.stdout_lines", json::array({"last", "quote"})), "'b c'"},
      {field("out.word", json::array({"quote"})), "'It'\"'\"'s'"},
      {field("out.stdout_lines", json::array({json{{"name", "join"}, {"argument", ","}}})),
       "a,b c"},
      {field("out.rc", json::array({"string"})), "0"},
      {field("out.ratio", json::array({"int"})), "0"},
      {field("out.changed", json::array({"bool"})), true},
      {field("out.missing", json::array({json{{"name", "default"}, {"argument", "fallback"}}})),
       "fallback"},
      {field("out.rc", json::array({json{{"name", "default"}, {"argument", 7}}})), "0"},
      {field("out.stdout_lines"), json::array({"a", "b c"})},  // lists keep their type
      {field("st.stat.exists"), false},                        // and booleans
      {field("out.nothing"), ""},                              // None prints as nothing
  };
  for (const auto& c : cases) {
    auto value = bound(json::array({c.part}));
    ASSERT_TRUE(value.has_value()) << c.part.dump() << ": " << value.error().describe();
    EXPECT_EQ(*value, c.expected) << c.part.dump();
  }
}

TEST(LateBindingTest, PartsJoinIntoText) {
  auto value = bound(json::array({"rc=", field("out.rc"), " exists=", field("st.stat.exists"),
                                  " ratio=", field("out.ratio"), " none=", field("out.nothing")}));
  ASSERT_TRUE(value.has_value()) << value.error().describe();
  EXPECT_EQ(*value, "rc=0 exists=False ratio=0.5 none=");
}

TEST(LateBindingTest, WhatCannotBeBoundIsAnErrorNamingTheField) {
  auto missing = bound(json::array({field("out.nope.deeper")}));
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), ErrorCode::NotFound);
  EXPECT_NE(missing.error().message().find("'out.nope.deeper'"), std::string::npos);

  auto list_in_text = bound(json::array({"x", field("out.stdout_lines")}));
  ASSERT_FALSE(list_in_text.has_value());
  EXPECT_NE(list_in_text.error().message().find("'out.stdout_lines' is a list"), std::string::npos);

  auto empty_first = bound(json::array({field("out.nothing", json::array({"string", "first"}))}));
  ASSERT_FALSE(empty_first.has_value());
  EXPECT_NE(empty_first.error().message().find("is empty"), std::string::npos);
}

TEST(LateBindingTest, BindingsSetNestedParametersAndRoundTrip) {
  auto bindings =
      parseLateBindings(json::parse(R"([{"param": "/argv/1", "parts": [{"field": "out.rc"}]},
                      {"param": "/env/a~1b", "parts": ["x", {"field": "out.rc"}]}])"),
                        "/late");
  ASSERT_TRUE(bindings.has_value()) << bindings.error().describe();
  EXPECT_EQ(lateBindingsToJson(*bindings),
            json::parse(R"([{"param": "/argv/1", "parts": [{"field": "out.rc"}]},
                            {"param": "/env/a~1b", "parts": ["x", {"field": "out.rc"}]}])"));
  auto params = bindLateParams(json{{"argv", {"echo", nullptr}}, {"env", json::object()}},
                               *bindings, kRegistered);
  ASSERT_TRUE(params.has_value()) << params.error().describe();
  EXPECT_EQ((*params)["argv"], json::array({"echo", "0"}));
  EXPECT_EQ((*params)["env"]["a/b"], "x0");
}

}  // namespace
}  // namespace sc::manifest
