// b64encode/b64decode, hash, password_hash (crypt_r, as Ansible without passlib).
#include <gtest/gtest.h>

#include "tests/unit/controller/jinja/render_support.h"

namespace sc::controller::jinja {
namespace {

using testing::errorOf;
using testing::renderText;

TEST(EncodingFiltersTest, Base64) {
  EXPECT_EQ(
      renderText("{{ 'hello' | b64encode }} {{ 'aGVsbG8=' | b64decode }} {{ '' | b64encode }}|"
                 "{{ 'h\xc3\xa9' | b64encode }}"),
      "aGVsbG8= hello |aMOp");
  EXPECT_NE(errorOf("{{ 'abc' | b64decode }}").find("Incorrect padding"), std::string::npos);
}

TEST(EncodingFiltersTest, Hashes) {
  EXPECT_EQ(
      renderText("{{ 'hello world' | hash('sha1') }} {{ 'x' | hash('md5') }} {{ 'x' | hash }}"),
      "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed 9dd4e461268c8034f5c8564e155c67a6 "
      "11f6ad8ec52a2984abaafd7c3b516503785c2072");
}

TEST(EncodingFiltersTest, PasswordHashWithSalt) {
  EXPECT_EQ(renderText("{{ 'secret' | password_hash('sha512', 'saltsalt') }}"),
            "$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN"
            ".Pq.H91p5hVO1");
  EXPECT_NE(errorOf("{{ 'secret' | password_hash('sha512') }}").find("without a salt"),
            std::string::npos);
}

}  // namespace
}  // namespace sc::controller::jinja
