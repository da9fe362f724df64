// A TCP proxy on loopback that the tests put between an agent and the
// controller, and that can be told at any moment to misbehave the way
// networks do (SECURITY.md T-08, F-16): trickle, delay, reset or cut a
// connection after so many bytes, or swallow everything. netem needs a
// real interface and privileges; this needs neither, and it can aim a
// fault at the middle of one transfer.
//
// Clients connect to port(); each connection is joined to a fresh one to
// 127.0.0.1:target_port. "Downstream" is target -> client (controller ->
// agent), where pushes travel.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace sc::testing {

class FaultProxy {
 public:
  using Clock = std::chrono::steady_clock;

  enum class Fault {
    None,        // forward every byte as it comes
    Delay,       // hold what arrives for `pace` before forwarding it (both ways)
    Trickle,     // forward one byte per `pace` downstream
    ResetAfter,  // forward `bytes` more downstream, then reset the connection (RST)
    CutAfter,    // forward `bytes` more downstream, then close it cleanly (FIN)
    Blackhole,   // forward nothing, not even the end of a connection
  };
  struct Plan {
    Fault fault = Fault::None;
    std::size_t bytes = 0;
    std::chrono::milliseconds pace{0};
  };

  // What the proxy saw of one client connection.
  struct Connection {
    Clock::time_point opened;
    // When the client closed its side (nullopt: open, or closed by the proxy).
    std::optional<Clock::time_point> client_closed;
    bool faulted = false;  // reset or cut by the proxy
  };

  explicit FaultProxy(std::uint16_t target_port);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  std::uint16_t port() const;
  // Takes effect for every byte forwarded from now on, on every connection;
  // a byte budget counts from this call.
  void set(const Plan& plan);
  // Every connection accepted so far, oldest first.
  std::vector<Connection> connections() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace sc::testing
