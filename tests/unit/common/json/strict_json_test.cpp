// parseStrictJson: the checks nlohmann::json alone does not make (duplicate
// keys, depth, byte-order mark, encoding) and the positions errors carry.
#include "common/json/strict_json.h"

#include <gtest/gtest.h>

#include <string>

namespace sc::json {
namespace {

constexpr ParseLimits kLimits{32, 1 << 20};

TEST(StrictJsonTest, ParsesAValidDocument) {
  auto doc = parseStrictJson(R"({"a": [1, {"b": "c"}], "d": null})", "t.json", kLimits);
  ASSERT_TRUE(doc.has_value()) << doc.error().describe();
  EXPECT_EQ((*doc)["a"][1]["b"], "c");
  EXPECT_TRUE((*doc)["d"].is_null());
}

struct DuplicateCase {
  std::string text;
  std::string where;
};

TEST(StrictJsonTest, DuplicateKeysNameTheirPointer) {
  const DuplicateCase cases[] = {
      {R"({"a": 1, "a": 2})", "t.json:/a"},
      {R"({"x": {"y": [0, {"k": 1, "k": 1}]}})", "t.json:/x/y/1/k"},
      {R"({"x": {}, "z": {"p/q": 1, "p/q": 2}})", "t.json:/z/p~1q"},
      {R"({"x": [[1], [2]], "y": {"a~b": 1, "a~b": 1}})", "t.json:/y/a~0b"},
  };
  for (const auto& c : cases) {
    auto doc = parseStrictJson(c.text, "t.json", kLimits);
    ASSERT_FALSE(doc.has_value()) << c.text;
    EXPECT_EQ(doc.error().code(), ErrorCode::Schema) << c.text;
    EXPECT_EQ(doc.error().where(), c.where) << c.text;
    EXPECT_NE(doc.error().message().find("duplicate key"), std::string::npos);
  }
}

TEST(StrictJsonTest, DepthAtTheLimitIsAcceptedAndOneMoreIsTooDeep) {
  const ParseLimits limits{4, 1 << 20};
  EXPECT_TRUE(parseStrictJson("[[[[1]]]]", "t.json", limits).has_value());
  auto deep = parseStrictJson("[[[[[1]]]]]", "t.json", limits);
  ASSERT_FALSE(deep.has_value());
  EXPECT_EQ(deep.error().code(), ErrorCode::TooDeep);
  // Names the innermost container that was accepted: the fifth array
  // would have gone into it.
  EXPECT_EQ(deep.error().where(), "t.json:/0/0/0");
  EXPECT_NE(deep.error().message().find("limit of 4"), std::string::npos);
}

TEST(StrictJsonTest, ByteOrderMarkIsAnEncodingError) {
  auto doc = parseStrictJson("\xEF\xBB\xBF{}", "t.json", kLimits);
  ASSERT_FALSE(doc.has_value());
  EXPECT_EQ(doc.error().code(), ErrorCode::Encoding);
  EXPECT_EQ(doc.error().where(), "t.json:1:1");
}

TEST(StrictJsonTest, OverTheByteLimitIsTooLargeBeforeParsing) {
  const ParseLimits limits{32, 10};
  auto doc = parseStrictJson("[1, 2, 3, 4]", "t.json", limits);  // 12 bytes, and valid
  ASSERT_FALSE(doc.has_value());
  EXPECT_EQ(doc.error().code(), ErrorCode::TooLarge);
  EXPECT_EQ(doc.error().message(), "document is 12 bytes, over the limit of 10");
}

TEST(StrictJsonTest, LineColumnCountsFromOne) {
  EXPECT_EQ(lineColumn("abc", 0), "1:1");
  EXPECT_EQ(lineColumn("abc", 2), "1:3");
  EXPECT_EQ(lineColumn("ab\ncd\nef", 3), "2:1");
  EXPECT_EQ(lineColumn("ab\ncd\nef", 7), "3:2");
}

TEST(StrictJsonTest, PointerTokenEscapesTildeAndSlash) {
  EXPECT_EQ(pointerToken("plain"), "plain");
  EXPECT_EQ(pointerToken("a/b~c"), "a~1b~0c");
  EXPECT_EQ(pointerToken("~/"), "~0~1");
}

}  // namespace
}  // namespace sc::json
