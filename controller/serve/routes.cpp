#include "controller/serve/routes.h"

#include <algorithm>
#include <array>

namespace sc::controller::serve {
namespace {

using protocol::MessageType;

// Messages from the controller's side (welcome, push, ...) are absent: an
// agent sending one breaks the protocol.
constexpr std::array<Route, 9> kRoutes = {{
    {MessageType::Hello, true, true},
    {MessageType::Enroll, true, true},  // an agent renews its certificate
    {MessageType::Heartbeat, false, true},
    {MessageType::Ack, false, true},
    {MessageType::Facts, false, true},     // answers a facts_request
    {MessageType::Progress, false, true},  // a pushed run's resource finished
    {MessageType::Result, false, true},    // a pushed run's end (or its refusal)
    {MessageType::Report, false, true},    // a scheduled run's report
    {MessageType::Error, true, true},
}};

}  // namespace

std::span<const Route> routes() { return kRoutes; }

const Route* routeFor(Role role, protocol::MessageType type) {
  const auto it = std::find_if(kRoutes.begin(), kRoutes.end(),
                               [&](const Route& route) { return route.type == type; });
  if (it == kRoutes.end()) return nullptr;
  const bool allowed = role == Role::Enrolling ? it->from_enrolling : it->from_agent;
  return allowed ? &*it : nullptr;
}

}  // namespace sc::controller::serve
