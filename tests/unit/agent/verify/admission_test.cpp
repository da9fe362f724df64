// Admission of signed manifests (SECURITY.md T-03, T-04, T-05, B-14, F-15):
// another host's manifest, expired and not-yet-valid manifests, malformed
// or reversed timestamps, a manifest naming another signer, and serials at
// or below the last applied one are refused with their own reasons.
#include "agent/verify/admission.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/time/rfc3339.h"

namespace sc::agent {
namespace {

using nlohmann::json;

constexpr std::int64_t kNow = 1795669200;  // 2026-11-26T05:00:00Z

class AdmissionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = std::make_unique<envelope::PrivateKey>(*envelope::PrivateKey::generate());
    trusted_.add(key_->publicKey());
    policy_.host = "web1";
    policy_.trusted = &trusted_;
    policy_.now = kNow;
  }

  json manifest(std::uint64_t serial = 5) const {
    return {{"format_version", 1},
            {"host", "web1"},
            {"serial", serial},
            {"issued_at", time::formatRfc3339(kNow - 60)},
            {"expires_at", time::formatRfc3339(kNow + 3600)},
            {"key_id", key_->publicKey().id()},
            {"resources", json::array()}};
  }
  std::string sealed(const json& payload) const {
    return envelope::serialize(
        envelope::seal(std::string(envelope::kManifestPayloadType), payload.dump(), *key_));
  }
  ErrorCode refusal(const json& payload, std::int64_t now = kNow) {
    AdmissionPolicy policy = policy_;
    policy.now = now;
    auto admitted = admitEnvelope(sealed(payload), policy);
    EXPECT_FALSE(admitted.has_value()) << payload.dump();
    return admitted ? ErrorCode::Internal : admitted.error().code();
  }

  std::unique_ptr<envelope::PrivateKey> key_;
  envelope::TrustedKeys trusted_;
  AdmissionPolicy policy_;
};

TEST_F(AdmissionTest, AManifestForThisHostInItsValidityIsAdmitted) {
  auto admitted = admitEnvelope(sealed(manifest()), policy_);
  ASSERT_TRUE(admitted.has_value()) << admitted.error().describe();
  EXPECT_EQ(admitted->manifest.serial, 5u);
  EXPECT_EQ(admitted->manifest.host, "web1");
  EXPECT_EQ(admitted->payload_sha256.size(), 64u);
}

TEST_F(AdmissionTest, AnotherHostsManifestIsRefused) {
  json other = manifest();
  other["host"] = "web2";
  EXPECT_EQ(refusal(other), ErrorCode::WrongHost);
}

TEST_F(AdmissionTest, ValidityAndTheClock) {
  // Expired, give or take the five minutes a clock may be off.
  EXPECT_EQ(refusal(manifest(), kNow + 3600 + 301), ErrorCode::Expired);
  EXPECT_EQ(refusal(manifest(), kNow + 86400 * 3650), ErrorCode::Expired);
  EXPECT_TRUE(admitEnvelope(sealed(manifest()),
                            [&] {
                              auto p = policy_;
                              p.now = kNow + 3600 + 299;
                              return p;
                            }())
                  .has_value());
  // Issued in the future: a clock is wrong, and the message says so.
  json future = manifest();
  future["issued_at"] = time::formatRfc3339(kNow + 86400);
  future["expires_at"] = time::formatRfc3339(kNow + 2 * 86400);
  AdmissionPolicy policy = policy_;
  auto early = admitEnvelope(sealed(future), policy);
  ASSERT_FALSE(early.has_value());
  EXPECT_EQ(early.error().code(), ErrorCode::NotYetValid);
  EXPECT_NE(early.error().message().find("clock"), std::string::npos);
  EXPECT_EQ(refusal(manifest(), kNow - 86400), ErrorCode::NotYetValid);
  policy.now = kNow - 60 - 299;  // within the tolerance of issued_at
  EXPECT_TRUE(admitEnvelope(sealed(manifest()), policy).has_value());
}

TEST_F(AdmissionTest, BadTimestampsAreRefused) {
  const auto with = [&](const char* field, json value) {
    json m = manifest();
    if (value.is_null()) {
      m.erase(field);
    } else {
      m[field] = std::move(value);
    }
    return m;
  };
  EXPECT_EQ(refusal(with("issued_at", nullptr)), ErrorCode::BadTime);
  EXPECT_EQ(refusal(with("expires_at", nullptr)), ErrorCode::BadTime);
  EXPECT_EQ(refusal(with("issued_at", "yesterday")), ErrorCode::BadTime);
  EXPECT_EQ(refusal(with("expires_at", "2026-11-26 06:00:00")), ErrorCode::BadTime);
  EXPECT_EQ(refusal(with("expires_at", time::formatRfc3339(kNow - 120))), ErrorCode::BadTime);
  EXPECT_EQ(refusal(with("expires_at", time::formatRfc3339(kNow + 91ll * 86400))),
            ErrorCode::BadTime);
}

TEST_F(AdmissionTest, TheManifestMustNameItsSigner) {
  json m = manifest();
  m.erase("key_id");
  EXPECT_EQ(refusal(m), ErrorCode::SignatureInvalid);
  m["key_id"] = std::string(64, 'a');
  EXPECT_EQ(refusal(m), ErrorCode::SignatureInvalid);
}

TEST_F(AdmissionTest, AnUnparsableButSignedPayloadIsRefusedAfterTheSignature) {
  auto admitted =
      admitEnvelope(envelope::serialize(envelope::seal(std::string(envelope::kManifestPayloadType),
                                                       "{not json", *key_)),
                    policy_);
  ASSERT_FALSE(admitted.has_value());
  EXPECT_EQ(admitted.error().code(), ErrorCode::Parse);
}

TEST_F(AdmissionTest, SerialsOnlyGrow) {
  auto five = admitEnvelope(sealed(manifest(5)), policy_);
  auto four = admitEnvelope(sealed(manifest(4)), policy_);
  json other_five_json = manifest(5);
  other_five_json["on_failure"] = "continue";
  auto other_five = admitEnvelope(sealed(other_five_json), policy_);
  auto six = admitEnvelope(sealed(manifest(6)), policy_);
  ASSERT_TRUE(five && four && other_five && six);

  EXPECT_EQ(checkSerial(*five, nullptr), SerialDecision::Apply);
  const AppliedRecord applied{"web1", 5, five->payload_sha256, five->manifest.key_id, true};
  EXPECT_EQ(checkSerial(*six, &applied), SerialDecision::Apply);
  EXPECT_EQ(checkSerial(*five, &applied), SerialDecision::AlreadyApplied);
  EXPECT_EQ(checkSerial(*four, &applied).error().code(), ErrorCode::Rollback);
  EXPECT_EQ(checkSerial(*other_five, &applied).error().code(), ErrorCode::Equivocation);
  // A run of serial 5 that never ended is finished by the same manifest.
  const AppliedRecord interrupted{"web1", 5, five->payload_sha256, five->manifest.key_id, false};
  EXPECT_EQ(checkSerial(*five, &interrupted), SerialDecision::Apply);
  EXPECT_EQ(checkSerial(*four, &interrupted).error().code(), ErrorCode::Rollback);
}

// T-10: a compromised key signed a huge serial; once the operator rotated
// it out, the new key's serial 1 is accepted without editing host state,
// while the floor still holds for every key that is still trusted.
TEST_F(AdmissionTest, ARotatedOutSignerSetsNoSerialFloor) {
  auto one = admitEnvelope(sealed(manifest(1)), policy_);
  ASSERT_TRUE(one.has_value());
  const std::string compromised(64, 'c');
  const AppliedRecord fast_forwarded{"web1", (std::uint64_t{1} << 63) - 1, std::string(64, '0'),
                                     compromised, true};
  EXPECT_EQ(checkSerial(*one, &fast_forwarded), SerialDecision::Apply);
  const AppliedRecord by_trusted_key{"web1", (std::uint64_t{1} << 63) - 1, std::string(64, '0'),
                                     key_->publicKey().id(), true};
  EXPECT_EQ(checkSerial(*one, &by_trusted_key).error().code(), ErrorCode::Rollback);
  // Records from before signers were recorded keep their floor.
  const AppliedRecord unnamed{"web1", 7, std::string(64, '0'), "", true};
  EXPECT_EQ(checkSerial(*one, &unnamed).error().code(), ErrorCode::Rollback);
}

}  // namespace
}  // namespace sc::agent
