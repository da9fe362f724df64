#include "common/protocol/connection.h"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "common/text/escape.h"

namespace sc::protocol {
namespace {

using namespace asio::experimental::awaitable_operators;
constexpr auto kTupleAwaitable = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadChunk = 16 * 1024;

std::string describePeer(const TlsStream& stream) {
  boost::system::error_code ec;
  const auto endpoint = stream.lowest_layer().remote_endpoint(ec);
  if (ec) return "unknown peer";
  return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

std::string describePeer(const LocalStream&) { return "the admin socket"; }

asio::ip::tcp::socket& lowest(TlsStream& stream) { return stream.next_layer(); }
LocalStream& lowest(LocalStream& stream) { return stream; }

}  // namespace

nlohmann::json errorBody(const Error& error) {
  return {{"reason", std::string(reasonCode(error.code()))},
          {"message", text::escapeControl(error.message())}};
}

template <typename Stream>
BasicConnection<Stream>::BasicConnection(Stream stream)
    : stream_(std::move(stream)), peer_(describePeer(stream_)) {}

template <typename Stream>
asio::awaitable<Result<void>> BasicConnection<Stream>::handshake(
    bool server, Clock::duration timeout) requires std::is_same_v<Stream, TlsStream> {
  asio::steady_timer deadline(stream_.get_executor(), timeout);
  auto outcome = co_await (stream_.async_handshake(server ? asio::ssl::stream_base::server
                                                          : asio::ssl::stream_base::client,
                                                   kTupleAwaitable) ||
                           deadline.async_wait(kTupleAwaitable));
  if (outcome.index() == 1) {
    close();
    co_return Error(ErrorCode::Timeout, "no TLS handshake within the deadline", peer_);
  }
  const auto [ec] = std::get<0>(outcome);
  if (ec) {
    close();
    co_return Error(ErrorCode::TlsFailed, "TLS handshake failed", peer_, ec.message());
  }
  co_return ok();
}

template <typename Stream>
asio::awaitable<Result<Frame>> BasicConnection<Stream>::read(Clock::duration timeout) {
  asio::steady_timer deadline(stream_.get_executor(), timeout);
  std::array<char, kReadChunk> buffer{};
  for (;;) {
    if (auto frame = decoder_.next()) co_return std::move(*frame);
    if (closed_) co_return Error(ErrorCode::Io, "the session is closed", peer_);
    auto outcome = co_await (stream_.async_read_some(asio::buffer(buffer), kTupleAwaitable) ||
                             deadline.async_wait(kTupleAwaitable));
    if (outcome.index() == 1) {
      co_return Error(ErrorCode::Timeout, "no complete frame within the deadline", peer_);
    }
    const auto [ec, got] = std::get<0>(outcome);
    if (ec) {
      co_return Error(ErrorCode::Io,
                      ec == asio::error::eof || ec == asio::ssl::error::stream_truncated
                          ? "the peer closed the session"
                          : "reading from the session failed",
                      peer_, ec.message());
    }
    if (auto fed = decoder_.feed(std::string_view(buffer.data(), got)); !fed) {
      co_return std::move(fed.error()).withWhere(peer_);
    }
  }
}

template <typename Stream>
void BasicConnection<Stream>::send(MessageType type, const nlohmann::json& body) {
  if (closed_ || close_after_write_) return;
  std::string text = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() > messageInfo(static_cast<std::uint16_t>(type))->max_body_bytes) {
    // A sender's bug, not the peer's: the session ends rather than the process.
    fail(Error(ErrorCode::TooLarge, "a message over its size limit was not sent", peer_));
    return;
  }
  outbox_.push_back(encode(Frame{type, std::move(text)}));
  if (writing_) return;
  writing_ = true;
  asio::co_spawn(
      stream_.get_executor(), [self = this->shared_from_this()]() { return self->writeQueued(); },
      asio::detached);
}

template <typename Stream>
void BasicConnection<Stream>::fail(const Error& error) {
  send(MessageType::Error, errorBody(error));
  close_after_write_ = true;
  if (!writing_) close();
}

template <typename Stream>
asio::awaitable<void> BasicConnection<Stream>::writeQueued() {
  while (!outbox_.empty() && !closed_) {
    const auto [ec, written] =
        co_await asio::async_write(stream_, asio::buffer(outbox_.front()), kTupleAwaitable);
    (void)written;
    if (ec) {
      close();
      break;
    }
    outbox_.pop_front();
  }
  writing_ = false;
  if (closed_) outbox_.clear();
  if (close_after_write_) close();
}

template <typename Stream>
asio::awaitable<void> BasicConnection<Stream>::flush(Clock::duration timeout) {
  const auto until = Clock::now() + timeout;
  asio::steady_timer pause(stream_.get_executor());
  while (writing_ && !closed_ && Clock::now() < until) {
    pause.expires_after(std::chrono::milliseconds(10));
    co_await pause.async_wait(kTupleAwaitable);
  }
}

template <typename Stream>
void BasicConnection<Stream>::close() {
  if (closed_) return;
  closed_ = true;
  // A write in flight still reads its buffer: the writer clears the rest.
  if (!writing_) outbox_.clear();
  boost::system::error_code ignored;
  lowest(stream_).shutdown(asio::socket_base::shutdown_both, ignored);
  lowest(stream_).close(ignored);
}

template class BasicConnection<TlsStream>;
// Member by member: the TLS-only ones have no meaning on a local socket.
template BasicConnection<LocalStream>::BasicConnection(LocalStream);
template asio::awaitable<Result<Frame>> BasicConnection<LocalStream>::read(Clock::duration);
template void BasicConnection<LocalStream>::send(MessageType, const nlohmann::json&);
template void BasicConnection<LocalStream>::fail(const Error&);
template asio::awaitable<void> BasicConnection<LocalStream>::flush(Clock::duration);
template void BasicConnection<LocalStream>::close();

}  // namespace sc::protocol
