#include "common/protocol/frame.h"

#include <fmt/format.h>

#include <algorithm>

namespace sc::protocol {
namespace {

// Caps per type: a push carries a whole signed manifest (base64 of up to
// 64 MiB, see limits.h); reports carry every resource's outcome; the rest
// are small control messages.
constexpr std::size_t kKiB = 1024;
constexpr std::size_t kMiB = 1024 * kKiB;

constexpr std::array<MessageInfo, 15> kMessages = {{
    {MessageType::Hello, "hello", 16 * kKiB, true, false},
    {MessageType::Welcome, "welcome", 16 * kKiB, false, true},
    {MessageType::Heartbeat, "heartbeat", 256, true, true},
    {MessageType::FactsRequest, "facts_request", 4 * kKiB, false, true},
    {MessageType::Facts, "facts", 8 * kMiB, true, false},
    {MessageType::Push, "push", 90 * kMiB, false, true},
    {MessageType::Progress, "progress", 256 * kKiB, true, false},
    {MessageType::Result, "result", 32 * kMiB, true, false},
    {MessageType::Ack, "ack", 4 * kKiB, true, true},
    {MessageType::Error, "error", 16 * kKiB, true, true},
    {MessageType::Enroll, "enroll", 32 * kKiB, true, false},
    {MessageType::Enrolled, "enrolled", 32 * kKiB, false, true},
    {MessageType::Report, "report", 32 * kMiB, true, false},
    // The admin socket: neither side is an agent; from_controller marks
    // what `scctl serve` sends.
    {MessageType::AdminRequest, "admin_request", 96 * kMiB, false, false},
    {MessageType::AdminEvent, "admin_event", 64 * kMiB, false, true},
}};

std::uint32_t readU32(const char* p) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(p[0])) << 24 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(p[1])) << 16 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(p[2])) << 8 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(p[3]));
}

std::uint16_t readU16(const char* p) {
  return static_cast<std::uint16_t>(static_cast<unsigned>(static_cast<unsigned char>(p[0])) << 8 |
                                    static_cast<unsigned char>(p[1]));
}

void writeU32(std::string& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>(value >> shift & 0xff);
}

void writeU16(std::string& out, std::uint16_t value) {
  out += static_cast<char>(value >> 8 & 0xff);
  out += static_cast<char>(value & 0xff);
}

Error protocolError(std::string message) {
  return Error(ErrorCode::ProtocolError, std::move(message));
}

}  // namespace

const MessageInfo* messageInfo(std::uint16_t type) {
  const auto it = std::find_if(kMessages.begin(), kMessages.end(), [&](const MessageInfo& info) {
    return static_cast<std::uint16_t>(info.type) == type;
  });
  return it == kMessages.end() ? nullptr : &*it;
}

std::size_t largestBody() {
  std::size_t largest = 0;
  for (const auto& info : kMessages) largest = std::max(largest, info.max_body_bytes);
  return largest;
}

std::string encode(const Frame& frame) {
  const MessageInfo* info = messageInfo(static_cast<std::uint16_t>(frame.type));
  SC_CHECK(info != nullptr, "every MessageType has an entry");
  SC_CHECK(!frame.body.empty() && frame.body.size() <= info->max_body_bytes,
           "a body the caller built fits its type's cap");
  std::string out;
  out.reserve(kHeaderBytes + frame.body.size());
  writeU32(out, static_cast<std::uint32_t>(frame.body.size()));
  writeU16(out, static_cast<std::uint16_t>(frame.type));
  writeU16(out, 0);
  out += frame.body;
  return out;
}

Result<void> FrameDecoder::feed(std::string_view bytes) {
  if (failed_) return *failed_;
  while (!bytes.empty()) {
    if (header_size_ < kHeaderBytes) {
      const std::size_t take = std::min(bytes.size(), kHeaderBytes - header_size_);
      std::copy_n(bytes.data(), take, header_.data() + header_size_);
      header_size_ += take;
      bytes.remove_prefix(take);
      if (header_size_ < kHeaderBytes) break;
      // The whole header is in: judge it before taking any of the body.
      const std::uint32_t length = readU32(header_.data());
      const std::uint16_t type = readU16(header_.data() + 4);
      const std::uint16_t flags = readU16(header_.data() + 6);
      const MessageInfo* info = messageInfo(type);
      if (info == nullptr) {
        failed_ = protocolError(fmt::format("unknown message type {}", type));
      } else if (flags != 0) {
        failed_ = protocolError(
            fmt::format("{} frame with reserved flags 0x{:04x} set", info->name, flags));
      } else if (length == 0) {
        failed_ = protocolError(fmt::format("empty {} frame", info->name));
      } else if (length > info->max_body_bytes) {
        failed_ = protocolError(fmt::format("{} frame of {} bytes, over its limit of {}",
                                            info->name, length, info->max_body_bytes));
      }
      if (failed_) {
        header_size_ = 0;  // nothing of a refused frame is kept
        return *failed_;
      }
      type_ = info->type;
      body_length_ = length;
      body_.clear();
    }
    const std::size_t take = std::min(bytes.size(), body_length_ - body_.size());
    body_.append(bytes.data(), take);
    bytes.remove_prefix(take);
    if (body_.size() == body_length_) {
      ready_.push_back({type_, std::move(body_)});
      body_ = std::string();
      header_size_ = 0;
    }
  }
  return {};
}

std::optional<Frame> FrameDecoder::next() {
  if (ready_.empty()) return std::nullopt;
  Frame frame = std::move(ready_.front());
  ready_.pop_front();
  return frame;
}

}  // namespace sc::protocol
