// The host name grammar that keeps names out of paths, headers and
// terminals (SECURITY.md B-18, T-20, T-21).
#include "common/text/host_name.h"

#include <gtest/gtest.h>

namespace sc::text {
namespace {

TEST(HostName, AcceptsOrdinaryNames) {
  for (const char* name : {"web1", "web1.example.com", "db_2", "10.0.0.5", "A-b.C"}) {
    EXPECT_TRUE(checkHostName(name).has_value()) << name;
  }
  EXPECT_TRUE(checkHostName(std::string(253, 'a')).has_value());
}

TEST(HostName, RefusesWhatCouldEscape) {
  for (const std::string& name : std::vector<std::string>{
           "", "../x", "%2e%2e/x", "%252e", "/etc/passwd", "a/b", "a..b", ".a", "a.", "-a",
           "*.example.com", "a b", "a\r\nBcc: x", "a\x1b[2J",
           "w\xc3\xa9"
           "b",
           std::string(254, 'a'), std::string("a\0b", 3), "\xe2\x80\xa4\xe2\x80\xa4/x"}) {
    auto result = checkHostName(name);
    ASSERT_FALSE(result.has_value()) << name;
    EXPECT_EQ(result.error().code(), ErrorCode::InvalidArgument);
    for (const char c : result.error().message()) {
      EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20) << "control byte in the message";
    }
  }
}

}  // namespace
}  // namespace sc::text
