// Condition trees: parsing field paths and evaluating all/any/not and each
// comparison against registered results, with Python truthiness and a
// missing field counting as false.
#include "common/manifest/condition.h"

#include <gtest/gtest.h>

#include <string>

namespace sc::manifest {
namespace {

using nlohmann::json;

const json kRegistered = json::parse(R"({
  "out": {"rc": 0, "stdout": "hello world", "lines": ["a", "b"], "n": 2.5, "big": 10,
          "empty": "", "zero": 0, "fzero": 0.0, "list": [], "obj": {}, "null": null,
          "flag": false, "yes": true, "text_zero": "0", "map": {"k": 1},
          "results": [{"rc": 1}, {"rc": 2}, {"rc": 3}]}
})");

Result<bool> eval(const json& node) {
  auto condition = parseCondition(node, "/c");
  if (!condition) return condition.error();
  return evaluate(*condition, kRegistered);
}

json cmp(const std::string& field, const std::string& op, json value) {
  return json{{"field", field}, {"op", op}, {"value", std::move(value)}};
}

json unary(const std::string& field, const std::string& op) {
  return json{{"field", field}, {"op", op}};
}

struct EvalCase {
  json condition;
  bool expected;
};

TEST(ConditionTest, EvaluatesEveryOperator) {
  const EvalCase cases[] = {
      // eq / ne: JSON equality, 0 == 0.0, but 0 != "0".
      {cmp("out.rc", "eq", 0), true},
      {cmp("out.rc", "eq", 0.0), true},
      {cmp("out.rc", "eq", "0"), false},
      {cmp("out.rc", "equals", 0), true},
      {cmp("out.stdout", "eq", "hello world"), true},
      {cmp("out.rc", "ne", 1), true},
      {cmp("out.rc", "ne", 0), false},
      {cmp("out.lines", "eq", json::array({"a", "b"})), true},
      // Ordering on numbers and on strings.
      {cmp("out.n", "lt", 3), true},
      {cmp("out.n", "lt", 2.5), false},
      {cmp("out.n", "le", 2.5), true},
      {cmp("out.big", "gt", 9.99), true},
      {cmp("out.big", "ge", 10), true},
      {cmp("out.big", "ge", 11), false},
      {cmp("out.rc", "lt", -1), false},
      {cmp("out.stdout", "lt", "i"), true},
      {cmp("out.stdout", "ge", "hello"), true},
      {cmp("out.stdout", "gt", "hello world"), false},
      // contains / in.
      {cmp("out.stdout", "contains", "o w"), true},
      {cmp("out.stdout", "contains", "xyz"), false},
      {cmp("out.lines", "contains", "b"), true},
      {cmp("out.lines", "contains", "c"), false},
      {cmp("out.map", "contains", "k"), true},
      {cmp("out.map", "contains", "v"), false},
      {cmp("out.lines[0]", "in", json::array({"x", "a"})), true},
      {cmp("out.lines[0]", "in", json::array({"x", "y"})), false},
      {cmp("out.stdout", "in", "she said hello world!"), true},
      {cmp("out.rc", "in", json::array({1, 2})), false},
      // defined / undefined.
      {unary("out.rc", "defined"), true},
      {unary("out.null", "defined"), true},
      {unary("out.missing", "defined"), false},
      {unary("out.missing", "undefined"), true},
      {unary("nothing.at.all", "undefined"), true},
      {unary("out.lines[5]", "undefined"), true},
      {unary("out.results[2].rc", "defined"), true},
      // Python truthiness.
      {unary("out.empty", "falsy"), true},
      {unary("out.zero", "falsy"), true},
      {unary("out.fzero", "falsy"), true},
      {unary("out.list", "falsy"), true},
      {unary("out.obj", "falsy"), true},
      {unary("out.null", "falsy"), true},
      {unary("out.flag", "falsy"), true},
      {unary("out.text_zero", "truthy"), true},  // "0" is a non-empty string
      {unary("out.n", "truthy"), true},
      {unary("out.lines", "truthy"), true},
      {unary("out.map", "truthy"), true},
      {unary("out.yes", "truthy"), true},
      {unary("out.zero", "truthy"), false},
      // match is anchored at the start, search is not.
      {cmp("out.stdout", "match", "world"), false},
      {cmp("out.stdout", "search", "world"), true},
      {cmp("out.stdout", "match", "hel+o"), true},
      {cmp("out.stdout", "search", "^world"), false},
      {cmp("out.stdout", "search", "o\\s+w"), true},
      {cmp("out.rc", "search", "0"), false},  // not a string
      // A missing field is false for every comparison.
      {cmp("out.missing", "eq", nullptr), false},
      {cmp("out.missing", "ne", 1), false},
      {cmp("out.missing", "lt", 1), false},
      {unary("out.missing", "truthy"), false},
      {unary("out.missing", "falsy"), false},
      {cmp("out.missing", "search", "."), false},
      {cmp("out.results[7].rc", "eq", 1), false},
      // Index steps.
      {cmp("out.results[1].rc", "eq", 2), true},
      {cmp("out.lines[1]", "eq", "b"), true},
      // Constants and combinators.
      {true, true},
      {false, false},
      {json{{"all", json::array()}}, true},
      {json{{"any", json::array()}}, false},
      {json{{"not", true}}, false},
      {json{{"not", cmp("out.rc", "eq", 1)}}, true},
      {json{{"all", {cmp("out.rc", "eq", 0), unary("out.lines", "truthy")}}}, true},
      {json{{"all", {cmp("out.rc", "eq", 0), unary("out.missing", "defined")}}}, false},
      {json{{"any", {cmp("out.rc", "eq", 1), unary("out.missing", "undefined")}}}, true},
      {json{{"any", {false, json{{"not", json{{"all", {true, false}}}}}}}}, true},
  };
  for (const auto& c : cases) {
    auto value = eval(c.condition);
    ASSERT_TRUE(value.has_value()) << c.condition.dump() << ": " << value.error().describe();
    EXPECT_EQ(*value, c.expected) << c.condition.dump();
  }
}

TEST(ConditionTest, OrderingMismatchedTypesIsASchemaErrorNamingTheField) {
  auto value = eval(cmp("out.stdout", "lt", 3));
  ASSERT_FALSE(value.has_value());
  EXPECT_EQ(value.error().code(), ErrorCode::Schema);
  EXPECT_EQ(value.error().where(), "out.stdout");
  EXPECT_EQ(value.error().message(), "cannot order string against number");
}

TEST(ConditionTest, AllStopsAtTheFirstFalseAndAnyAtTheFirstTrue) {
  // The second child would fail (ordering a string against a number); it is
  // never reached.
  EXPECT_EQ(eval(json{{"all", {false, cmp("out.stdout", "lt", 1)}}}), false);
  EXPECT_EQ(eval(json{{"any", {true, cmp("out.stdout", "lt", 1)}}}), true);
  EXPECT_FALSE(eval(json{{"all", {true, cmp("out.stdout", "lt", 1)}}}).has_value());
}

TEST(ConditionTest, ToJsonRoundTripsAndWritesTheCanonicalOperator) {
  const json node =
      json{{"any", {cmp("out.rc", "equals", 0), json{{"not", unary("x", "defined")}}}}};
  auto condition = parseCondition(node, "/c");
  ASSERT_TRUE(condition.has_value());
  const json expected =
      json{{"any", {cmp("out.rc", "eq", 0), json{{"not", unary("x", "defined")}}}}};
  EXPECT_EQ(conditionToJson(*condition), expected);
}

TEST(ConditionTest, ParseFieldPathSplitsKeysAndIndexes) {
  auto steps = parseFieldPath("out.results[2].rc");
  ASSERT_TRUE(steps.has_value());
  ASSERT_EQ(steps->size(), 4u);
  EXPECT_EQ((*steps)[0].key, "out");
  EXPECT_EQ((*steps)[0].index, -1);
  EXPECT_EQ((*steps)[1].key, "results");
  EXPECT_EQ((*steps)[2].index, 2);
  EXPECT_EQ((*steps)[3].key, "rc");

  auto nested = parseFieldPath("a[0][13]");
  ASSERT_TRUE(nested.has_value());
  ASSERT_EQ(nested->size(), 3u);
  EXPECT_EQ((*nested)[1].index, 0);
  EXPECT_EQ((*nested)[2].index, 13);

  auto single = parseFieldPath("rc");
  ASSERT_TRUE(single.has_value());
  ASSERT_EQ(single->size(), 1u);
  EXPECT_EQ((*single)[0].key, "rc");
}

TEST(ConditionTest, ParseFieldPathRefusesMalformedPaths) {
  const std::pair<std::string, std::string> cases[] = {
      {"", "empty"},
      {"a..b", "empty key"},
      {".a", "empty key"},
      {"a.", "trailing '.'"},
      {"a[1", "unclosed '['"},
      {"a[]", "index must be a non-negative integer"},
      {"a[-1]", "index must be a non-negative integer"},
      {"a[x]", "index must be a non-negative integer"},
      {"a[1234567890]", "index must be a non-negative integer"},
  };
  for (const auto& [field, why] : cases) {
    auto steps = parseFieldPath(field);
    ASSERT_FALSE(steps.has_value()) << field;
    EXPECT_EQ(steps.error().code(), ErrorCode::Schema);
    EXPECT_EQ(steps.error().message(), fmt::format("bad field path '{}': {}", field, why));
  }
}

TEST(ConditionTest, LookupFieldReturnsNullForMissingSteps) {
  auto path = parseFieldPath("out.map.k");
  ASSERT_TRUE(path.has_value());
  const json* found = lookupField(kRegistered, *path);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(*found, 1);
  auto through_scalar = parseFieldPath("out.rc.x");
  ASSERT_TRUE(through_scalar.has_value());
  EXPECT_EQ(lookupField(kRegistered, *through_scalar), nullptr);
  auto index_on_object = parseFieldPath("out[0]");
  ASSERT_TRUE(index_on_object.has_value());
  EXPECT_EQ(lookupField(kRegistered, *index_on_object), nullptr);
}

TEST(ConditionTest, RegexOverLargeCommandOutputDoesNotExhaustTheStack) {
  std::string output(1u << 20, 'a');
  output += "done";
  const json registered{{"out", {{"stdout", output}}}};
  auto condition = parseCondition(cmp("out.stdout", "search", "a[\\s\\S]*done"), "/c");
  ASSERT_TRUE(condition.has_value());
  auto holds = evaluate(*condition, registered);
  ASSERT_TRUE(holds.has_value()) << holds.error().describe();
  EXPECT_TRUE(*holds);
}

}  // namespace
}  // namespace sc::manifest
