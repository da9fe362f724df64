// RFC 3339 timestamps: what manifests carry as issued_at and expires_at.
#include "common/time/rfc3339.h"

#include <gtest/gtest.h>

namespace sc::time {
namespace {

TEST(Rfc3339Test, ParsesUtcOffsetsAndFractions) {
  EXPECT_EQ(parseRfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parseRfc3339("2026-11-26T05:00:00Z"), 1795669200);
  EXPECT_EQ(parseRfc3339("2026-11-26T06:00:00+01:00"), 1795669200);
  EXPECT_EQ(parseRfc3339("2026-11-25T23:30:00-05:30"), 1795669200);
  EXPECT_EQ(parseRfc3339("2026-11-26T05:00:00.999Z"), 1795669200);
  EXPECT_EQ(parseRfc3339("2024-02-29T00:00:00Z"), 1709164800);  // leap day
  EXPECT_EQ(parseRfc3339("1969-12-31T23:59:59Z"), -1);
}

TEST(Rfc3339Test, RefusesAnythingElse) {
  for (const char* bad :
       {"", "2026-11-26", "2026-11-26 05:00:00Z", "2026-11-26T05:00:00", "2026-11-26t05:00:00Z",
        "2026-11-26T05:00:00z", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
        "2026-04-31T00:00:00Z", "2026-11-26T24:00:00Z", "2026-11-26T05:60:00Z",
        "2026-11-26T05:00:00.Z", "2026-11-26T05:00:00+0100", "2026-11-26T05:00:00+01:00 ",
        "26-11-26T05:00:00Z", "2026-11-26T05:00:00Zjunk", "tomorrow"}) {
    EXPECT_FALSE(parseRfc3339(bad).has_value()) << bad;
  }
}

TEST(Rfc3339Test, FormatsUtcAndRoundTrips) {
  EXPECT_EQ(formatRfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(formatRfc3339(1795669200), "2026-11-26T05:00:00Z");
  EXPECT_EQ(formatRfc3339(-1), "1969-12-31T23:59:59Z");
  for (std::int64_t t : {0ll, 951782400ll, 1709164800ll, 4102444800ll, 253402300799ll}) {
    EXPECT_EQ(parseRfc3339(formatRfc3339(t)), t) << t;
  }
}

}  // namespace
}  // namespace sc::time
