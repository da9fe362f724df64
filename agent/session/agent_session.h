// `sc-agent run`: keeps one session with the controller open for good
// (ARCHITECTURE.md decision 4). It dials out, says hello, sends heartbeats,
// renews its certificate when a third of its life is left, and when the
// session ends for any reason dials again after a backoff with full jitter
// (uniform in [0, min(cap, base * 2^attempt)]) so a restarted controller is
// not hit by every agent at once (SECURITY.md F-17). It never gives up.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "agent/session/credentials.h"
#include "common/error.h"
#include "common/protocol/connection.h"

namespace sc::agent::session {

struct RunSettings {
  Credentials credentials;
  std::chrono::seconds connect_timeout{30};
  std::chrono::milliseconds backoff_base{1000};
  std::chrono::milliseconds backoff_cap{300'000};
  std::chrono::milliseconds splay{0};  // a random delay before the first dial
};

// The delay before reconnection attempt `attempt` (0-based): full jitter.
std::chrono::milliseconds backoffDelay(int attempt, std::chrono::milliseconds base,
                                       std::chrono::milliseconds cap);

class AgentSession {
 public:
  AgentSession(boost::asio::io_context& io, RunSettings settings, Enrolment enrolment);

  // Runs until stop().
  boost::asio::awaitable<void> run();
  void stop();

 private:
  // One session, from dial to its end; the error says why it ended.
  boost::asio::awaitable<Error> once();
  boost::asio::awaitable<void> heartbeats(std::shared_ptr<protocol::Connection> connection,
                                          std::chrono::seconds interval);
  Result<void> loadTls();
  boost::asio::awaitable<Result<void>> renewIfDue(protocol::Connection& connection);

  boost::asio::io_context& io_;
  RunSettings settings_;
  Enrolment enrolment_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  std::shared_ptr<protocol::Connection> current_;
  boost::asio::steady_timer wait_;
  bool stopping_ = false;
};

}  // namespace sc::agent::session
