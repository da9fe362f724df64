// One framed session over TLS (docs/protocol.md), as both the controller
// and the agent use it: frames read one at a time under a deadline, frames
// sent in order by one writer, and a close that stops both. Everything runs
// on one Boost.Asio executor (one thread), so nothing here locks.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <type_traits>

#include "common/error.h"
#include "common/protocol/frame.h"

namespace sc::protocol {

namespace asio = boost::asio;
using TlsStream = asio::ssl::stream<asio::ip::tcp::socket>;
// The controller's admin socket (scctl talking to scctl serve).
using LocalStream = asio::local::stream_protocol::socket;
using Clock = std::chrono::steady_clock;

// The protocol version this build speaks (docs/protocol.md).
inline constexpr int kProtocolVersion = 1;

// Made with std::make_shared: the writer keeps the connection alive while
// frames are on their way. `Stream` is TlsStream or LocalStream.
template <typename Stream>
class BasicConnection : public std::enable_shared_from_this<BasicConnection<Stream>> {
 public:
  explicit BasicConnection(Stream stream);

  Stream& stream() { return stream_; }
  std::string peerAddress() const { return peer_; }

  // TLS only: the handshake under a deadline (the server passes `server`
  // true), and the OpenSSL object for certificate checks.
  asio::awaitable<Result<void>> handshake(
      bool server, Clock::duration timeout) requires std::is_same_v<Stream, TlsStream>;
  SSL* ssl() requires std::is_same_v<Stream, TlsStream> { return stream_.native_handle(); }

  // The next frame. Timeout when no complete frame arrived within
  // `timeout` (a slow sender is cut off as surely as a silent one),
  // ProtocolError on a bad frame, Io when the peer closed.
  asio::awaitable<Result<Frame>> read(Clock::duration timeout);

  // Queues a frame; frames leave in the order queued. A body over its
  // type's cap ends the session with too_large instead.
  void send(MessageType type, const nlohmann::json& body);
  // Sends an error frame ({"reason", "message"}) and closes once it left.
  void fail(const Error& error);
  // Waits (at most `timeout`) until everything queued has been written.
  asio::awaitable<void> flush(Clock::duration timeout);
  // Stops reading and writing at once; the socket closes.
  void close();
  bool closed() const { return closed_; }

 private:
  asio::awaitable<void> writeQueued();

  Stream stream_;
  std::string peer_;
  FrameDecoder decoder_;
  std::deque<std::string> outbox_;
  bool writing_ = false;
  bool close_after_write_ = false;
  bool closed_ = false;
};

using Connection = BasicConnection<TlsStream>;
using LocalConnection = BasicConnection<LocalStream>;

// The body of an error frame.
nlohmann::json errorBody(const Error& error);

}  // namespace sc::protocol
