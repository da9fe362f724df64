// The wire framing of agent sessions (docs/protocol.md). Every message is
// one frame:
//
//   u32 length (big-endian): bytes of the body that follows, 1 or more
//   u16 type   (big-endian): a MessageType below
//   u16 flags  (big-endian): 0 (reserved)
//   body: `length` bytes, UTF-8 JSON
//
// The decoder judges a frame by its header before it holds any of the
// body: an unknown type, non-zero flags, an empty body, or a length above
// that type's cap end the stream with ProtocolError, and no buffer ever
// grows past the largest cap (SECURITY.md B-21, T-07).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"

namespace sc::protocol {

inline constexpr std::size_t kHeaderBytes = 8;

enum class MessageType : std::uint16_t {
  Hello = 1,      // agent -> controller: versions it speaks, its name
  Welcome = 2,    // controller -> agent: the version chosen, session settings
  Heartbeat = 3,  // both ways: still here
  FactsRequest = 4,
  Facts = 5,          // agent -> controller
  Push = 6,           // controller -> agent: a signed envelope
  Progress = 7,       // agent -> controller: one resource finished
  Result = 8,         // agent -> controller: the run's report (or its refusal)
  Ack = 9,            // both ways: the other side's message is safely stored
  Error = 10,         // both ways: why the sender closes the session
  Enroll = 11,        // agent -> controller: a certificate request (and token)
  Enrolled = 12,      // controller -> agent: the certificate, or "pending"
  AdminRequest = 13,  // scctl -> scctl serve, on the admin socket only
  AdminEvent = 14,    // scctl serve -> scctl: hosts, facts, progress, results
  Report = 15,        // agent -> controller: a scheduled run's report (acked)
};

// What is known about a message type: its name (for logs and errors), the
// largest body it may have, and who may send it.
struct MessageInfo {
  MessageType type;
  std::string_view name;
  std::size_t max_body_bytes;
  bool from_agent;
  bool from_controller;
};

// Null for a type this protocol version does not know.
const MessageInfo* messageInfo(std::uint16_t type);
// The largest body of any type: no decoder buffer grows past it.
std::size_t largestBody();

struct Frame {
  MessageType type;
  std::string body;
};

// The bytes of `frame` on the wire. The body must fit its type's cap.
std::string encode(const Frame& frame);

// Cuts a byte stream into frames. feed() takes whatever arrived; next()
// gives the frames completed so far, in order. After an error the decoder
// stays failed: the session must be closed.
class FrameDecoder {
 public:
  // Takes `bytes` (any amount, any boundaries). Fails, and stays failed,
  // on the first bad header.
  Result<void> feed(std::string_view bytes);
  // The next complete frame, if one is complete.
  std::optional<Frame> next();
  // Bytes held for the frame not complete yet.
  std::size_t buffered() const { return header_size_ + body_.size(); }

 private:
  std::array<char, kHeaderBytes> header_{};
  std::size_t header_size_ = 0;  // kHeaderBytes once the current header is in
  MessageType type_ = MessageType::Heartbeat;
  std::size_t body_length_ = 0;
  std::string body_;  // grows as bytes arrive, never past body_length_
  std::deque<Frame> ready_;
  std::optional<Error> failed_;
};

}  // namespace sc::protocol
