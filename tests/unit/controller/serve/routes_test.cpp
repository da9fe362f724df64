// The dispatcher table (SECURITY.md T-13, T-14): every message type the
// protocol knows is checked for both roles, so a new type added to
// common/protocol/frame.cpp without a decision here fails this test.
#include "controller/serve/routes.h"

#include <gtest/gtest.h>

#include <map>

namespace sc::controller::serve {
namespace {

using protocol::MessageType;

struct Expected {
  bool enrolling;
  bool agent;
};

// The decision for every type, written out: what an enrolling (no
// certificate) session and an agent session may send to the controller.
const std::map<MessageType, Expected> kDecisions = {
    {MessageType::Hello, {true, true}},          {MessageType::Welcome, {false, false}},
    {MessageType::Heartbeat, {false, true}},     {MessageType::FactsRequest, {false, false}},
    {MessageType::Facts, {false, true}},         {MessageType::Push, {false, false}},
    {MessageType::Progress, {false, true}},      {MessageType::Result, {false, true}},
    {MessageType::Ack, {false, true}},           {MessageType::Error, {true, true}},
    {MessageType::Enroll, {true, true}},         {MessageType::Enrolled, {false, false}},
    {MessageType::AdminRequest, {false, false}}, {MessageType::AdminEvent, {false, false}},
    {MessageType::Report, {false, true}},
};

TEST(Routes, EveryKnownTypeHasADecisionForEveryRole) {
  int known = 0;
  for (std::uint32_t raw = 0; raw <= 0xffff; ++raw) {
    const auto* info = protocol::messageInfo(static_cast<std::uint16_t>(raw));
    if (info == nullptr) continue;
    ++known;
    const auto decision = kDecisions.find(info->type);
    ASSERT_NE(decision, kDecisions.end()) << "no decision for message type " << info->name;
    EXPECT_EQ(routeFor(Role::Enrolling, info->type) != nullptr, decision->second.enrolling)
        << info->name;
    EXPECT_EQ(routeFor(Role::Agent, info->type) != nullptr, decision->second.agent) << info->name;
    // Nothing only the controller sends is accepted from a client.
    if (!info->from_agent) {
      EXPECT_EQ(routeFor(Role::Agent, info->type), nullptr) << info->name;
      EXPECT_EQ(routeFor(Role::Enrolling, info->type), nullptr) << info->name;
    }
  }
  EXPECT_EQ(known, static_cast<int>(kDecisions.size()));
}

TEST(Routes, TheTableNamesEachTypeOnce) {
  std::map<MessageType, int> seen;
  for (const auto& route : routes()) EXPECT_EQ(++seen[route.type], 1);
}

}  // namespace
}  // namespace sc::controller::serve
