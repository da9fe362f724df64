#include "controller/push/admin_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>

#include "common/fs/atomic_file.h"
#include "common/json/strict_json.h"

namespace sc::controller::push {
namespace {

constexpr json::ParseLimits kEventLimits{64, 96ull * 1024 * 1024};

}  // namespace

Result<AdminClient> AdminClient::connect(const std::string& path) {
  sockaddr_un address{};
  if (path.size() >= sizeof address.sun_path) {
    return Error(ErrorCode::InvalidArgument, "the admin socket path is too long", path);
  }
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  fs::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return errnoError(errno, "cannot make a socket");
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    return errnoError(errno, "cannot reach scctl serve (is it running? --admin-socket)", path);
  }
  return AdminClient(std::move(fd));
}

Result<void> AdminClient::send(const nlohmann::json& request) {
  const std::string body = request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (body.size() > protocol::messageInfo(13)->max_body_bytes) {
    return Error(ErrorCode::TooLarge, "an admin request over its size limit");
  }
  return fs::writeAll(fd_.get(), protocol::encode({protocol::MessageType::AdminRequest, body}));
}

Result<nlohmann::json> AdminClient::next(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (auto frame = decoder_.next()) {
      auto event = json::parseStrictJson(frame->body, "event from scctl serve", kEventLimits);
      if (!event || !event->is_object()) {
        return Error(ErrorCode::ProtocolError, "scctl serve sent a malformed event");
      }
      if (frame->type == protocol::MessageType::Error) {
        return Error(errorCodeFromReason(event->value("reason", "")),
                     "scctl serve refused: " + event->value("message", ""));
      }
      return std::move(*event);
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return Error(ErrorCode::Timeout, "no answer from scctl serve");
    pollfd ready{fd_.get(), POLLIN, 0};
    const int polled = ::poll(&ready, 1, static_cast<int>(left.count()));
    if (polled < 0 && errno != EINTR) return errnoError(errno, "waiting for scctl serve");
    if (polled <= 0) continue;
    char buffer[64 * 1024];
    const ssize_t got = ::read(fd_.get(), buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return Error(ErrorCode::Io, "scctl serve closed the admin connection");
    SC_TRY(decoder_.feed(std::string_view(buffer, static_cast<std::size_t>(got))));
  }
}

}  // namespace sc::controller::push
