// The signed envelope (SECURITY.md T-01, B-15): a sealed manifest opens
// under the trusted key; every mutant of it in the corpus below is refused
// with the reason it deserves, before its payload is looked at.
#include "common/envelope/envelope.h"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "common/text/base64.h"

namespace sc::envelope {
namespace {

using nlohmann::json;

constexpr std::size_t kLimit = 1 << 20;

class EnvelopeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    signer_ = std::make_unique<PrivateKey>(*PrivateKey::generate());
    stranger_ = std::make_unique<PrivateKey>(*PrivateKey::generate());
    trusted_.add(signer_->publicKey());
    sealed_ = json::parse(serialize(seal(std::string(kManifestPayloadType), payload_, *signer_)));
  }

  // Parses and opens `text` as the agent does.
  Result<std::string> open(const std::string& text) const {
    SC_TRY_ASSIGN(const Envelope envelope, parseEnvelope(text, kLimit));
    SC_TRY_ASSIGN(const std::string_view payload,
                  openEnvelope(envelope, kManifestPayloadType, trusted_));
    return std::string(payload);
  }

  std::string payload_ = R"({"host":"web1","serial":7})";
  std::unique_ptr<PrivateKey> signer_;
  std::unique_ptr<PrivateKey> stranger_;
  TrustedKeys trusted_;
  json sealed_;
};

TEST_F(EnvelopeTest, ASealedPayloadOpensUnderTheTrustedKey) {
  auto opened = open(sealed_.dump());
  ASSERT_TRUE(opened.has_value()) << opened.error().describe();
  EXPECT_EQ(*opened, payload_);
  EXPECT_EQ(sealed_["signatures"][0]["key_id"], signer_->publicKey().id());
  EXPECT_EQ(sealed_["format_version"], 1);
  // What is signed binds the type: the same payload under another type
  // has another signature.
  EXPECT_NE(signedBytes(kManifestPayloadType, payload_), signedBytes("text/plain", payload_));
  EXPECT_NE(signedBytes("ab", "c"), signedBytes("a", "bc"));
}

struct Mutant {
  const char* name;
  std::function<void(json&, const PrivateKey& stranger)> mutate;
  ErrorCode expected;
};

std::string decode(const json& text) { return *text::base64Decode(text.get<std::string>()); }
json encode(const std::string& bytes) { return text::base64Encode(bytes); }

TEST_F(EnvelopeTest, EveryMutantIsRefusedWithItsReason) {
  const std::vector<Mutant> corpus = {
      {"payload byte flipped",
       [](json& e, const PrivateKey&) {
         std::string p = decode(e["payload"]);
         p[3] = static_cast<char>(p[3] ^ 1);
         e["payload"] = encode(p);
       },
       ErrorCode::SignatureInvalid},
      {"payload byte appended",
       [](json& e, const PrivateKey&) { e["payload"] = encode(decode(e["payload"]) + " "); },
       ErrorCode::SignatureInvalid},
      {"signature byte flipped",
       [](json& e, const PrivateKey&) {
         std::string s = decode(e["signatures"][0]["signature"]);
         s[0] = static_cast<char>(s[0] ^ 0x80);
         e["signatures"][0]["signature"] = encode(s);
       },
       ErrorCode::SignatureInvalid},
      {"63-byte signature",
       [](json& e, const PrivateKey&) {
         e["signatures"][0]["signature"] =
             encode(decode(e["signatures"][0]["signature"]).substr(1));
       },
       ErrorCode::SignatureFormat},
      {"signed by an unknown key",
       [](json& e, const PrivateKey& stranger) {
         e["signatures"][0] = {
             {"key_id", stranger.publicKey().id()},
             {"signature",
              encode(stranger.sign(signedBytes(kManifestPayloadType, decode(e["payload"]))))}};
       },
       ErrorCode::UnknownKey},
      {"trusted key id, foreign signature",
       [](json& e, const PrivateKey& stranger) {
         e["signatures"][0]["signature"] =
             encode(stranger.sign(signedBytes(kManifestPayloadType, decode(e["payload"]))));
       },
       ErrorCode::SignatureInvalid},
      {"algorithm field added",
       [](json& e, const PrivateKey&) { e["signatures"][0]["algorithm"] = "none"; },
       ErrorCode::SignatureFormat},
      {"empty signature", [](json& e, const PrivateKey&) { e["signatures"][0]["signature"] = ""; },
       ErrorCode::SignatureFormat},
      {"no signatures", [](json& e, const PrivateKey&) { e["signatures"] = json::array(); },
       ErrorCode::SignatureFormat},
      {"signatures missing", [](json& e, const PrivateKey&) { e.erase("signatures"); },
       ErrorCode::SignatureFormat},
      {"two signatures",
       [](json& e, const PrivateKey&) { e["signatures"].push_back(e["signatures"][0]); },
       ErrorCode::SignatureFormat},
      {"key id missing", [](json& e, const PrivateKey&) { e["signatures"][0].erase("key_id"); },
       ErrorCode::SignatureFormat},
      {"key id in capitals",
       [](json& e, const PrivateKey&) {
         std::string id = e["signatures"][0]["key_id"];
         for (char& c : id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
         e["signatures"][0]["key_id"] = id;
       },
       ErrorCode::SignatureFormat},
      {"signature not base64",
       [](json& e, const PrivateKey&) { e["signatures"][0]["signature"] = "!!!!"; },
       ErrorCode::SignatureFormat},
      {"signature base64 not canonical",
       [](json& e, const PrivateKey&) {
         // 64 bytes encode to 86 characters and "=="; the last character
         // carries 4 unused bits, here set.
         std::string text = e["signatures"][0]["signature"];
         char& last = text[text.size() - 3];
         // Its four low bits are zero, so it is one of A Q g w; the next
         // letter has the lowest of them set.
         ASSERT_NE(std::string_view("AQgw").find(last), std::string_view::npos) << text;
         last = static_cast<char>(last + 1);
         e["signatures"][0]["signature"] = text;
       },
       ErrorCode::SignatureFormat},
      {"payload with whitespace in its base64",
       [](json& e, const PrivateKey&) { e["payload"] = std::string(e["payload"]).insert(4, "\n"); },
       ErrorCode::SignatureFormat},
      {"payload type changed",
       [](json& e, const PrivateKey&) { e["payload_type"] = "application/json"; },
       ErrorCode::SignatureFormat},
      {"format version 2", [](json& e, const PrivateKey&) { e["format_version"] = 2; },
       ErrorCode::SignatureFormat},
      {"unknown top-level field", [](json& e, const PrivateKey&) { e["note"] = "x"; },
       ErrorCode::SignatureFormat},
      {"not an object", [](json& e, const PrivateKey&) { e = json::array({e}); },
       ErrorCode::SignatureFormat},
  };
  ASSERT_GE(corpus.size(), 12u);
  for (const Mutant& mutant : corpus) {
    json envelope = sealed_;
    mutant.mutate(envelope, *stranger_);
    auto opened = open(envelope.dump());
    ASSERT_FALSE(opened.has_value()) << mutant.name;
    EXPECT_EQ(reasonCode(opened.error().code()), reasonCode(mutant.expected))
        << mutant.name << ": " << opened.error().describe();
  }
  for (const std::string& garbage :
       std::vector<std::string>{"", "{", "null", "\x01\x02", std::string(100, '{')}) {
    auto opened = open(garbage);
    ASSERT_FALSE(opened.has_value());
    EXPECT_EQ(opened.error().code(), ErrorCode::SignatureFormat) << opened.error().describe();
  }
}

TEST_F(EnvelopeTest, OversizedEnvelopesAndPayloadsAreRefusedBeforeDecoding) {
  const std::string big(kLimit * 2, 'A');
  auto parsed = parseEnvelope(big, kLimit);
  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(parsed.error().code(), ErrorCode::TooLarge);
  json envelope = sealed_;
  envelope["payload"] = encode(std::string(kLimit + 1, 'p'));
  parsed = parseEnvelope(envelope.dump(), kLimit);
  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(parsed.error().code(), ErrorCode::TooLarge);
}

TEST_F(EnvelopeTest, ARotatedInKeyIsTrustedAlongsideTheOld) {
  TrustedKeys both = trusted_;
  both.add(stranger_->publicKey());
  const Envelope by_new = seal(std::string(kManifestPayloadType), payload_, *stranger_);
  auto opened = openEnvelope(by_new, kManifestPayloadType, both);
  ASSERT_TRUE(opened.has_value());
  EXPECT_EQ(*opened, payload_);
  EXPECT_FALSE(openEnvelope(by_new, kManifestPayloadType, trusted_).has_value());
}

}  // namespace
}  // namespace sc::envelope
