// Code points, not bytes: lengths and case mapping.
#include "common/text/utf8.h"

#include <gtest/gtest.h>

namespace sc::text::utf8 {
namespace {

TEST(Utf8Test, CountsCodePoints) {
  EXPECT_EQ(length("caf\xc3\xa9"), 4u);
  EXPECT_EQ(length("\xe2\x9c\x93"), 1u);
  EXPECT_EQ(decode("\xff"
                   "a")
                .size(),
            2u);  // an invalid byte is kept as one point
  EXPECT_EQ(encode(decode("\xff"
                          "a\xc3\xa9")),
            "\xff"
            "a\xc3\xa9");
}

TEST(Utf8Test, ChangesCaseBeyondAscii) {
  EXPECT_EQ(upper("h\xc3\xa9llo"), "H\xc3\x89LLO");
  EXPECT_EQ(lower("\xd0\x9f\xd0\xa0"), "\xd0\xbf\xd1\x80");  // Cyrillic
  EXPECT_EQ(upper("stra\xc3\x9f"
                  "e"),
            "STRASSE");
}

}  // namespace
}  // namespace sc::text::utf8
