// Reaching the controller: its address, a TLS connection to it under a
// deadline, and the hello/welcome exchange every session starts with
// (docs/protocol.md).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/error.h"
#include "common/protocol/connection.h"

namespace sc::agent::session {

struct ControllerAddress {
  std::string host;  // DNS name or IP address, as the controller's certificate names it
  std::uint16_t port = 8143;
  std::string text() const;
};

// "ctl.example.com:8143", "10.0.0.5", "[::1]:8143".
Result<ControllerAddress> parseControllerAddress(std::string_view text);

// Resolves, connects and completes the TLS handshake within `timeout`.
boost::asio::awaitable<Result<std::shared_ptr<protocol::Connection>>> dial(
    boost::asio::any_io_executor executor, const ControllerAddress& address,
    boost::asio::ssl::context& tls, protocol::Clock::duration timeout);

// Sends hello for `host` and returns the welcome's body. An error frame
// from the controller becomes that error (revoked, protocol_error, ...).
boost::asio::awaitable<Result<nlohmann::json>> greet(protocol::Connection& connection,
                                                     const std::string& host,
                                                     protocol::Clock::duration timeout);

// Reads the next frame other than a heartbeat and expects `type`; an error
// frame is turned into the error it carries.
boost::asio::awaitable<Result<nlohmann::json>> expect(protocol::Connection& connection,
                                                      protocol::MessageType type,
                                                      protocol::Clock::duration timeout);

}  // namespace sc::agent::session
