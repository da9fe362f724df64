// Which messages each kind of session may send to the controller (SECURITY.md
// T-13, T-14). A session is Enrolling when its client presented no
// certificate (it may only say hello and ask for one), and Agent when it
// presented a valid, unrevoked certificate; its identity is then the
// certificate's name and nothing a message says can change it.
//
// The table is the whole dispatcher: a message type not listed for a role
// closes the session with protocol_error before any handler runs, and the
// tests walk this table, so a new message type without a rule fails them.
#pragma once

#include <span>

#include "common/protocol/frame.h"

namespace sc::controller::serve {

enum class Role { Enrolling, Agent };

struct Route {
  protocol::MessageType type;
  bool from_enrolling;
  bool from_agent;
};

std::span<const Route> routes();
// Null when `role` may not send `type` to the controller.
const Route* routeFor(Role role, protocol::MessageType type);

}  // namespace sc::controller::serve
