// The agent's side of sessions that needs no controller: controller
// addresses as operators write them, and the reconnection backoff (full
// jitter within a doubling bound, SECURITY.md F-17).
#include <gtest/gtest.h>

#include "agent/session/agent_session.h"
#include "agent/session/dial.h"

namespace sc::agent::session {
namespace {

using std::chrono::milliseconds;

TEST(ControllerAddress, ParsesNamesAddressesAndPorts) {
  auto plain = parseControllerAddress("ctl.example.com");
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->host, "ctl.example.com");
  EXPECT_EQ(plain->port, 8143);
  auto with_port = parseControllerAddress("10.0.0.5:9000");
  ASSERT_TRUE(with_port.has_value());
  EXPECT_EQ(with_port->host, "10.0.0.5");
  EXPECT_EQ(with_port->port, 9000);
  auto v6 = parseControllerAddress("[::1]:8200");
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 8200);
  EXPECT_EQ(v6->text(), "[::1]:8200");
  for (const char* bad : {"", ":80", "ctl:0", "ctl:65536", "ctl:x", "[::1", "[::1]x"}) {
    EXPECT_FALSE(parseControllerAddress(bad).has_value()) << bad;
  }
}

TEST(Backoff, StaysWithinTheDoublingBoundAndTheCap) {
  const milliseconds base(100);
  const milliseconds cap(1000);
  for (int attempt = 0; attempt < 12; ++attempt) {
    const std::int64_t bound = std::min<std::int64_t>(100LL << attempt, 1000);
    for (int i = 0; i < 200; ++i) {
      const auto delay = backoffDelay(attempt, base, cap).count();
      EXPECT_GE(delay, 0);
      EXPECT_LE(delay, bound);
    }
  }
}

TEST(Backoff, IsSpreadAcrossTheWholeWindow) {
  // Full jitter: with the cap reached, delays cover the window evenly.
  const milliseconds cap(10'000);
  int low = 0;
  int high = 0;
  for (int i = 0; i < 2000; ++i) {
    const auto delay = backoffDelay(20, milliseconds(1000), cap).count();
    if (delay < 2500) ++low;
    if (delay > 7500) ++high;
  }
  EXPECT_GT(low, 350);
  EXPECT_GT(high, 350);
}

TEST(Reconnection, DoublesAfterShortSessionsAndSpreadsOverTheSplayAfterAHealthyOne) {
  const milliseconds base(100);
  const milliseconds cap(10'000);
  const milliseconds splay(30'000);
  int late = 0;
  for (int i = 0; i < 500; ++i) {
    Reconnection reconnection(base, cap, splay, std::chrono::minutes(1));
    // A healthy session ended (a controller restart): anywhere in the splay.
    const auto first = reconnection.after(std::chrono::minutes(5)).count();
    EXPECT_LE(first, splay.count());
    if (first > 15'000) ++late;
    // Then dials that fail at once: the doubling bound again, from 200 ms.
    EXPECT_LE(reconnection.after(milliseconds(5)).count(), 200);
    EXPECT_LE(reconnection.after(milliseconds(5)).count(), 400);
  }
  EXPECT_GT(late, 150);
  // Without a splay, the first delay stays within the base.
  Reconnection plain(base, cap, milliseconds(0));
  EXPECT_LE(plain.after(std::chrono::minutes(5)).count(), 100);
}

}  // namespace
}  // namespace sc::agent::session
