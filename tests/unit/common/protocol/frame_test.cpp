// Wire framing (SECURITY.md B-21, T-07): frames survive any split of the
// byte stream; a bad header (unknown type, reserved flags, empty body,
// length above the type's cap, a huge or "negative" length) fails the
// stream at the header, before any of the body is held, and for good.
#include "common/protocol/frame.h"

#include <gtest/gtest.h>

#include <random>

namespace sc::protocol {
namespace {

std::string header(std::uint32_t length, std::uint16_t type, std::uint16_t flags = 0) {
  std::string out;
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>(length >> shift & 0xff);
  out += static_cast<char>(type >> 8);
  out += static_cast<char>(type & 0xff);
  out += static_cast<char>(flags >> 8);
  out += static_cast<char>(flags & 0xff);
  return out;
}

const std::vector<Frame> kSample = {
    {MessageType::Hello, R"({"versions":[1],"name":"web1"})"},
    {MessageType::Heartbeat, "{}"},
    {MessageType::Push, std::string(70000, 'p')},
    {MessageType::Ack, R"({"serial":5})"},
};

std::vector<Frame> drain(FrameDecoder& decoder) {
  std::vector<Frame> out;
  while (auto frame = decoder.next()) out.push_back(std::move(*frame));
  return out;
}

void expectSample(const std::vector<Frame>& frames) {
  ASSERT_EQ(frames.size(), kSample.size());
  for (std::size_t i = 0; i < frames.size(); ++i) {
    EXPECT_EQ(frames[i].type, kSample[i].type) << i;
    EXPECT_EQ(frames[i].body, kSample[i].body) << i;
  }
}

TEST(FrameTest, HeaderLayout) {
  EXPECT_EQ(encode({MessageType::Ack, "ok"}), std::string("\0\0\0\x02\0\x09\0\0ok", 10));
}

TEST(FrameTest, FramesSurviveAnySplit) {
  std::string stream;
  for (const Frame& frame : kSample) stream += encode(frame);
  {
    FrameDecoder decoder;
    ASSERT_TRUE(decoder.feed(stream).has_value());
    expectSample(drain(decoder));
    EXPECT_EQ(decoder.buffered(), 0u);
  }
  {
    FrameDecoder decoder;
    std::vector<Frame> frames;
    for (char byte : stream) {
      ASSERT_TRUE(decoder.feed(std::string_view(&byte, 1)).has_value());
      for (auto& frame : drain(decoder)) frames.push_back(std::move(frame));
    }
    expectSample(frames);
  }
  std::mt19937 random(7);
  for (int round = 0; round < 20; ++round) {
    FrameDecoder decoder;
    std::size_t at = 0;
    while (at < stream.size()) {
      const std::size_t chunk = std::uniform_int_distribution<std::size_t>(1, 9000)(random);
      ASSERT_TRUE(decoder.feed(std::string_view(stream).substr(at, chunk)).has_value());
      at += chunk;
    }
    expectSample(drain(decoder));
  }
}

TEST(FrameTest, BadHeadersFailTheStreamBeforeAnyBody) {
  const MessageInfo* push = messageInfo(static_cast<std::uint16_t>(MessageType::Push));
  const MessageInfo* hello = messageInfo(static_cast<std::uint16_t>(MessageType::Hello));
  ASSERT_NE(push, nullptr);
  ASSERT_NE(hello, nullptr);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {header(2, 0), "unknown message type 0"},
      {header(2, 16), "unknown message type 16"},
      {header(2, 0xffff), "unknown message type 65535"},
      {header(2, 9, 1), "reserved flags"},
      {header(0, 3), "empty heartbeat frame"},
      {header(static_cast<std::uint32_t>(hello->max_body_bytes + 1), 1), "over its limit"},
      {header(static_cast<std::uint32_t>(push->max_body_bytes + 1), 6), "over its limit"},
      {header(0xffffffffu, 6), "over its limit"},  // "-1" as a signed length
      {header(0x80000000u, 8), "over its limit"},
  };
  for (const auto& [bytes, message] : cases) {
    FrameDecoder decoder;
    auto fed = decoder.feed(bytes + "{}");
    ASSERT_FALSE(fed.has_value()) << message;
    EXPECT_EQ(fed.error().code(), ErrorCode::ProtocolError);
    EXPECT_NE(fed.error().message().find(message), std::string::npos) << fed.error().message();
    EXPECT_EQ(decoder.buffered(), 0u);
    // Failed for good, whatever comes next.
    EXPECT_FALSE(decoder.feed(encode({MessageType::Ack, "{}"})).has_value());
    EXPECT_FALSE(decoder.next().has_value());
  }
}

TEST(FrameTest, AFrameJudgedAfterAGoodOneStillFails) {
  FrameDecoder decoder;
  auto fed = decoder.feed(encode({MessageType::Ack, "{}"}) + header(0, 3));
  ASSERT_FALSE(fed.has_value());
  // The good frame before the bad header was complete and is delivered.
  auto first = decoder.next();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->type, MessageType::Ack);
}

TEST(FrameTest, AClaimedLengthIsNotAllocatedAheadOfTheBytes) {
  // A peer announces a push near its cap and sends 10 bytes of it.
  const MessageInfo* push = messageInfo(static_cast<std::uint16_t>(MessageType::Push));
  FrameDecoder decoder;
  ASSERT_TRUE(
      decoder.feed(header(static_cast<std::uint32_t>(push->max_body_bytes), 6) + "0123456789")
          .has_value());
  EXPECT_EQ(decoder.buffered(), kHeaderBytes + 10);
  EXPECT_FALSE(decoder.next().has_value());
  EXPECT_LE(push->max_body_bytes, largestBody());
}

TEST(FrameTest, EveryTypeHasACapAndARole) {
  for (std::uint16_t type = 1; type <= 10; ++type) {
    const MessageInfo* info = messageInfo(type);
    ASSERT_NE(info, nullptr) << type;
    EXPECT_GT(info->max_body_bytes, 0u);
    EXPECT_TRUE(info->from_agent || info->from_controller) << info->name;
    const Frame frame{info->type, "{}"};
    FrameDecoder decoder;
    ASSERT_TRUE(decoder.feed(encode(frame)).has_value());
    EXPECT_EQ(decoder.next()->type, info->type);
  }
  EXPECT_EQ(messageInfo(16), nullptr);
}

}  // namespace
}  // namespace sc::protocol
