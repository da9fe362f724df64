// Root documents (SECURITY.md T-02, T-09): thresholds count distinct public
// keys, a version is believed only with both thresholds, a chain is walked
// one version at a time and not further than the cap, and a key the root
// retired is named as such when it signs a manifest.
#include "common/envelope/root.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/text/base64.h"

namespace sc::envelope {
namespace {

using nlohmann::json;

PrivateKey newKey() { return *PrivateKey::generate(); }

std::string sealRoot(const RootDocument& document, const std::vector<const PrivateKey*>& signers) {
  Envelope sealed{std::string(kRootPayloadType), serializeRoot(document), {}};
  for (const PrivateKey* signer : signers) addSignature(sealed, *signer);
  return serialize(sealed);
}

class RootTest : public ::testing::Test {
 protected:
  RootTest() : a_(newKey()), b_(newKey()), c_(newKey()), signing_(newKey()), next_(newKey()) {}

  // Version 1: root keys a, b, c with threshold 2; signs manifests with signing_.
  RootDocument first() const {
    RootDocument root;
    root.version = 1;
    root.root_keys = {a_.publicKey(), b_.publicKey(), c_.publicKey()};
    root.root_threshold = 2;
    root.signing_keys = {signing_.publicKey()};
    return root;
  }
  TrustedRoot anchor() const { return *openRootAnchor(sealRoot(first(), {&a_, &b_})); }

  PrivateKey a_, b_, c_, signing_, next_;
};

TEST_F(RootTest, AnAnchorNeedsAThresholdOfItsOwnKeys) {
  auto opened = openRootAnchor(sealRoot(first(), {&a_, &c_}));
  ASSERT_TRUE(opened.has_value()) << opened.error().describe();
  EXPECT_EQ(opened->document.version, 1u);
  EXPECT_EQ(opened->document.root_keys.size(), 3u);
  EXPECT_EQ(openRootAnchor(sealRoot(first(), {&a_})).error().code(), ErrorCode::SignatureInvalid);
  EXPECT_EQ(openRootAnchor(sealRoot(first(), {&next_, &signing_})).error().code(),
            ErrorCode::SignatureInvalid);
}

// T-02: with threshold 2, one key's signature twice, one key listed twice
// and one valid signature beside a garbage one are all refused.
TEST_F(RootTest, ThresholdsCountDistinctKeys) {
  json twice = json::parse(sealRoot(first(), {&a_}));
  twice["signatures"].push_back(twice["signatures"][0]);
  EXPECT_EQ(openRootAnchor(twice.dump()).error().code(), ErrorCode::SignatureInvalid);

  RootDocument listed_twice = first();
  listed_twice.root_keys = {a_.publicKey(), a_.publicKey(), b_.publicKey()};
  const auto duplicate = openRootAnchor(sealRoot(listed_twice, {&a_, &b_}));
  ASSERT_FALSE(duplicate.has_value());
  EXPECT_EQ(duplicate.error().code(), ErrorCode::SignatureFormat);
  EXPECT_NE(duplicate.error().message().find("listed twice"), std::string::npos);

  json garbage = json::parse(sealRoot(first(), {&a_}));
  garbage["signatures"].push_back(
      {{"key_id", b_.publicKey().id()}, {"signature", text::base64Encode(std::string(64, 'x'))}});
  EXPECT_EQ(openRootAnchor(garbage.dump()).error().code(), ErrorCode::SignatureInvalid);

  // A signature by b's key id that is really a's signature does not count as b.
  json borrowed = json::parse(sealRoot(first(), {&a_}));
  auto stolen = borrowed["signatures"][0];
  stolen["key_id"] = b_.publicKey().id();
  borrowed["signatures"].push_back(stolen);
  EXPECT_EQ(openRootAnchor(borrowed.dump()).error().code(), ErrorCode::SignatureInvalid);
}

TEST_F(RootTest, ThePayloadIsParsedStrictly) {
  const auto refused = [&](const std::string& payload) {
    Envelope sealed{std::string(kRootPayloadType), payload, {}};
    addSignature(sealed, a_);
    addSignature(sealed, b_);
    const auto opened = openRootAnchor(serialize(sealed));
    return opened ? ErrorCode::Internal : opened.error().code();
  };
  json doc = json::parse(serializeRoot(first()));
  EXPECT_EQ(refused("[]"), ErrorCode::SignatureFormat);
  for (const char* field :
       {"version", "root_threshold", "root_keys", "signing_keys", "retired_keys"}) {
    json missing = doc;
    missing.erase(field);
    EXPECT_EQ(refused(missing.dump()), ErrorCode::SignatureFormat) << field;
  }
  json extra = doc;
  extra["expires"] = "never";
  EXPECT_EQ(refused(extra.dump()), ErrorCode::SignatureFormat);
  json zero = doc;
  zero["root_threshold"] = 0;
  EXPECT_EQ(refused(zero.dump()), ErrorCode::SignatureFormat);
  json above = doc;
  above["root_threshold"] = 4;
  EXPECT_EQ(refused(above.dump()), ErrorCode::SignatureFormat);
  json retired_and_trusted = doc;
  retired_and_trusted["retired_keys"] = {signing_.publicKey().id()};
  EXPECT_EQ(refused(retired_and_trusted.dump()), ErrorCode::SignatureFormat);
  json short_key = doc;
  short_key["signing_keys"] = {text::base64Encode(std::string(31, 'k'))};
  EXPECT_EQ(refused(short_key.dump()), ErrorCode::SignatureFormat);
  // A manifest envelope is not a root document.
  const std::string manifest =
      serialize(seal(std::string(kManifestPayloadType), serializeRoot(first()), a_));
  EXPECT_EQ(openRootAnchor(manifest).error().code(), ErrorCode::SignatureFormat);
}

// T-09: rotate the signing key (v2), then the root keys (v3); an agent at
// v1 walks to v3 unaided, a v3 signed only by the new keys is refused, and
// the retired key's manifests are refused as retired.
TEST_F(RootTest, AgentsWalkTheChainOneVersionAtATime) {
  RootDocument second = first();
  second.version = 2;
  second.signing_keys = {next_.publicKey()};
  second.retired_key_ids = {signing_.publicKey().id()};
  const std::string v2 = sealRoot(second, {&a_, &b_});

  const PrivateKey d = newKey();
  const PrivateKey e = newKey();
  RootDocument third = second;
  third.version = 3;
  third.root_keys = {d.publicKey(), e.publicKey()};
  third.retired_key_ids.push_back(a_.publicKey().id());
  const std::string v3 = sealRoot(third, {&b_, &c_, &d, &e});
  const std::string v3_new_keys_only = sealRoot(third, {&d, &e});
  const std::string v3_old_keys_only = sealRoot(third, {&b_, &c_});

  auto walked = walkRootChain(anchor(), {v3, v2});
  ASSERT_TRUE(walked.has_value()) << walked.error().describe();
  EXPECT_EQ(walked->document.version, 3u);
  EXPECT_EQ(walked->envelope_text, v3);

  EXPECT_EQ(walkRootChain(anchor(), {v2, v3_new_keys_only}).error().code(),
            ErrorCode::SignatureInvalid);
  EXPECT_EQ(walkRootChain(anchor(), {v2, v3_old_keys_only}).error().code(),
            ErrorCode::SignatureInvalid);
  // A version cannot be skipped, nor offered in two versions.
  EXPECT_EQ(walkRootChain(anchor(), {v3}).error().code(), ErrorCode::SignatureFormat);
  EXPECT_EQ(walkRootChain(anchor(), {v2, sealRoot(second, {&a_, &c_})}).error().code(),
            ErrorCode::Equivocation);
  // Nothing newer: the current root; older ones are ignored.
  EXPECT_EQ(walkRootChain(*walked, {v2, v3})->document.version, 3u);

  // Manifests: the new key is trusted, the old one named as retired.
  const TrustedKeys keys = walked->document.manifestKeys();
  const std::string payload = R"({"host":"web1"})";
  const auto by = [&](const PrivateKey& key) {
    return openEnvelope(seal(std::string(kManifestPayloadType), payload, key), kManifestPayloadType,
                        keys);
  };
  EXPECT_TRUE(by(next_).has_value());
  EXPECT_EQ(by(signing_).error().code(), ErrorCode::RetiredKey);
  EXPECT_EQ(by(d).error().code(), ErrorCode::UnknownKey);
}

TEST_F(RootTest, AChainLongerThanTheCapIsRefused) {
  std::vector<std::string> chain;
  RootDocument root = first();
  for (std::size_t i = 0; i < kMaxRootChain + 1; ++i) {
    ++root.version;
    chain.push_back(sealRoot(root, {&a_, &b_}));
  }
  const auto too_long = walkRootChain(anchor(), chain);
  ASSERT_FALSE(too_long.has_value());
  EXPECT_EQ(too_long.error().code(), ErrorCode::RootChainTooLong);
  EXPECT_EQ(reasonCode(too_long.error().code()), "root_chain_too_long");
  chain.pop_back();
  auto at_cap = walkRootChain(anchor(), chain);
  ASSERT_TRUE(at_cap.has_value()) << at_cap.error().describe();
  EXPECT_EQ(at_cap->document.version, kMaxRootChain + 1);
}

}  // namespace
}  // namespace sc::envelope
