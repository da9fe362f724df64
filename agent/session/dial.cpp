#include "agent/session/dial.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>

#include "common/json/strict_json.h"
#include "common/text/escape.h"
#include "common/tls/tls_context.h"

namespace sc::agent::session {
namespace {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
constexpr auto kTupleAwaitable = asio::as_tuple(asio::use_awaitable);
constexpr json::ParseLimits kBodyLimits{16, 128ull * 1024 * 1024};

}  // namespace

std::string ControllerAddress::text() const {
  return host.find(':') != std::string::npos ? fmt::format("[{}]:{}", host, port)
                                             : fmt::format("{}:{}", host, port);
}

Result<ControllerAddress> parseControllerAddress(std::string_view text) {
  ControllerAddress address;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) {
      return Error(ErrorCode::InvalidArgument, "unclosed '[' in the controller address",
                   std::string(text));
    }
    address.host = std::string(text.substr(1, close - 1));
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') {
        return Error(ErrorCode::InvalidArgument, "expected ':PORT' after ']'", std::string(text));
      }
      port = text.substr(close + 2);
    }
  } else {
    const auto colon = text.rfind(':');
    address.host = std::string(text.substr(0, colon));
    if (colon != std::string_view::npos) port = text.substr(colon + 1);
  }
  if (address.host.empty()) {
    return Error(ErrorCode::InvalidArgument, "the controller address names no host",
                 std::string(text));
  }
  if (!port.empty()) {
    unsigned value = 0;
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (error != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      return Error(ErrorCode::InvalidArgument, "not a port number", std::string(port));
    }
    address.port = static_cast<std::uint16_t>(value);
  }
  return address;
}

asio::awaitable<Result<std::shared_ptr<protocol::Connection>>> dial(
    asio::any_io_executor executor, const ControllerAddress& address, asio::ssl::context& tls,
    protocol::Clock::duration timeout) {
  asio::ip::tcp::resolver resolver(executor);
  const auto [resolve_error, endpoints] =
      co_await resolver.async_resolve(address.host, std::to_string(address.port), kTupleAwaitable);
  if (resolve_error) {
    co_return Error(ErrorCode::Io, "cannot resolve the controller", address.text(),
                    resolve_error.message());
  }
  protocol::TlsStream stream(executor, tls);
  asio::steady_timer deadline(executor, timeout);
  auto connected =
      co_await (asio::async_connect(stream.lowest_layer(), endpoints, kTupleAwaitable) ||
                deadline.async_wait(kTupleAwaitable));
  if (connected.index() == 1) {
    co_return Error(ErrorCode::Timeout, "connecting to the controller timed out", address.text());
  }
  if (const auto& [ec, endpoint] = std::get<0>(connected); ec) {
    co_return Error(ErrorCode::Io, "cannot connect to the controller", address.text(),
                    ec.message());
  }
  boost::system::error_code ignored;
  stream.lowest_layer().set_option(asio::ip::tcp::no_delay(true), ignored);
  // The name the controller's certificate must carry, sent as SNI too.
  if (address.host.find_first_not_of("0123456789.:") != std::string::npos) {
    // SSL_set_tlsext_host_name() spelled out: the macro casts in C style.
    SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(address.host.c_str()));
  }
  auto connection = std::make_shared<protocol::Connection>(std::move(stream));
  const auto remaining = deadline.expiry() - protocol::Clock::now();
  if (auto shook = co_await connection->handshake(false, remaining); !shook) {
    auto error = std::move(shook.error());
    if (auto timing = tls::certificateTimeError(SSL_get_verify_result(connection->ssl()),
                                                "the controller's", address.text())) {
      co_return std::move(*timing);
    }
    if (auto refused = tls::refusedOnTime(error, address.text())) co_return std::move(*refused);
    // The controller's certificate failing our checks is its own refusal (T-12).
    if (error.cause().find("certificate verify failed") != std::string::npos) {
      co_return Error(ErrorCode::PeerNotController,
                      "the peer's certificate is not the controller's", address.text(),
                      error.cause());
    }
    co_return error;
  }
  co_return connection;
}

asio::awaitable<Result<nlohmann::json>> expect(protocol::Connection& connection,
                                               protocol::MessageType type,
                                               protocol::Clock::duration timeout) {
  auto frame = co_await connection.read(timeout);
  // Heartbeats may arrive at any time; they answer nothing asked here.
  while (frame && frame->type == protocol::MessageType::Heartbeat &&
         type != protocol::MessageType::Heartbeat) {
    frame = co_await connection.read(timeout);
  }
  if (!frame) co_return std::move(frame.error());
  auto body = json::parseStrictJson(frame->body, "message from the controller", kBodyLimits);
  if (!body || !body->is_object()) {
    co_return Error(ErrorCode::ProtocolError, "the controller sent a malformed message",
                    connection.peerAddress());
  }
  if (frame->type == protocol::MessageType::Error) {
    const std::string reason = body->value("reason", "");
    co_return Error(errorCodeFromReason(reason),
                    fmt::format("the controller refused: {}",
                                text::escapeControl(body->value("message", reason))),
                    connection.peerAddress());
  }
  if (frame->type != type) {
    co_return Error(ErrorCode::ProtocolError, "the controller sent an unexpected message",
                    connection.peerAddress());
  }
  co_return std::move(*body);
}

asio::awaitable<Result<nlohmann::json>> greet(protocol::Connection& connection,
                                              const std::string& host,
                                              protocol::Clock::duration timeout) {
  connection.send(protocol::MessageType::Hello,
                  {{"protocol_versions", {protocol::kProtocolVersion}},
                   {"host", host},
                   {"agent_version", SC_VERSION}});
  auto welcome = co_await expect(connection, protocol::MessageType::Welcome, timeout);
  // Under TLS 1.3 the controller checks our certificate after our side of
  // the handshake ended: its refusal arrives as the first read's error.
  if (!welcome) {
    if (auto refused = tls::refusedOnTime(welcome.error(), connection.peerAddress())) {
      co_return std::move(*refused);
    }
  }
  co_return welcome;
}

}  // namespace sc::agent::session
