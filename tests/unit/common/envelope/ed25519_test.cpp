// Ed25519 through OpenSSL (SECURITY.md T-34): RFC 8032 section 7.1's test
// vectors sign and verify; keys and signatures of the wrong length, the
// all-zero signature and the malleable S+L variant are all refused; keys
// survive PEM round trips; private key files must be private.
#include "common/envelope/ed25519.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "tests/support/test_tree.h"

namespace sc::envelope {
namespace {

std::string fromHex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

struct Vector {
  const char* seed;
  const char* public_key;
  const char* message;
  const char* signature;
};

// RFC 8032, section 7.1, TEST 1 to TEST 3.
const Vector kVectors[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
     "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
     "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
     "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
};

TEST(Ed25519Test, Rfc8032VectorsSignAndVerify) {
  for (const Vector& v : kVectors) {
    auto key = PrivateKey::fromSeed(fromHex(v.seed));
    ASSERT_TRUE(key.has_value()) << key.error().describe();
    EXPECT_EQ(key->publicKey().raw(), fromHex(v.public_key));
    const std::string message = fromHex(v.message);
    EXPECT_EQ(key->sign(message), fromHex(v.signature)) << v.message;
    auto public_key = PublicKey::fromRaw(fromHex(v.public_key));
    ASSERT_TRUE(public_key.has_value());
    EXPECT_TRUE(public_key->verify(message, fromHex(v.signature)));
    EXPECT_FALSE(public_key->verify(message + "x", fromHex(v.signature)));
    EXPECT_EQ(public_key->id().size(), 64u);
    EXPECT_EQ(public_key->id(), key->publicKey().id());
  }
}

// S + L: the same signature with its scalar plus the group order. A
// malleable verifier accepts it; RFC 8032 requires S < L.
std::string withScalarPlusOrder(std::string signature) {
  // L = 2^252 + 27742317777372353535851937790883648493, little-endian.
  const std::string order =
      fromHex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
  unsigned carry = 0;
  for (std::size_t i = 0; i < 32; ++i) {
    const unsigned sum = static_cast<unsigned char>(signature[32 + i]) +
                         static_cast<unsigned char>(order[i]) + carry;
    signature[32 + i] = static_cast<char>(sum & 0xff);
    carry = sum >> 8;
  }
  return signature;
}

TEST(Ed25519Test, MalformedKeysAndSignaturesAreRefused) {
  const Vector& v = kVectors[1];
  auto key = PublicKey::fromRaw(fromHex(v.public_key));
  ASSERT_TRUE(key.has_value());
  const std::string message = fromHex(v.message);
  const std::string good = fromHex(v.signature);
  ASSERT_TRUE(key->verify(message, good));
  EXPECT_FALSE(key->verify(message, good.substr(0, 63)));
  EXPECT_FALSE(key->verify(message, good + '\0'));
  EXPECT_FALSE(key->verify(message, ""));
  EXPECT_FALSE(key->verify(message, std::string(64, '\0')));
  EXPECT_FALSE(key->verify(message, withScalarPlusOrder(good)));
  std::string flipped = good;
  flipped[10] = static_cast<char>(flipped[10] ^ 1);
  EXPECT_FALSE(key->verify(message, flipped));

  for (const std::size_t length : {0u, 31u, 33u, 64u}) {
    auto bad = PublicKey::fromRaw(std::string(length, 'k'));
    ASSERT_FALSE(bad.has_value()) << length;
    EXPECT_EQ(bad.error().code(), ErrorCode::SignatureFormat);
  }
  auto zero = PublicKey::fromRaw(std::string(32, '\0'));
  if (zero) {
    EXPECT_FALSE(zero->verify(message, good));
  }
  EXPECT_FALSE(PrivateKey::fromSeed(std::string(31, 's')).has_value());
}

TEST(Ed25519Test, KeysRoundTripThroughPemFiles) {
  sc::testing::TempDir dir;
  auto key = PrivateKey::generate();
  ASSERT_TRUE(key.has_value());
  const auto path = dir.path() / "signing.key";
  ASSERT_TRUE(writeKeyPair(*key, path).has_value());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  auto again = PrivateKey::fromPemFile(path);
  ASSERT_TRUE(again.has_value()) << again.error().describe();
  EXPECT_EQ(again->publicKey().id(), key->publicKey().id());
  auto public_key = PublicKey::fromPemFile(dir.path() / "signing.key.pub");
  ASSERT_TRUE(public_key.has_value()) << public_key.error().describe();
  EXPECT_EQ(public_key->id(), key->publicKey().id());
  EXPECT_TRUE(public_key->verify("m", again->sign("m")));

  // Never replaced; never read when others may read it.
  const auto replaced = writeKeyPair(*PrivateKey::generate(), path);
  ASSERT_FALSE(replaced.has_value());
  EXPECT_EQ(replaced.error().code(), ErrorCode::Conflict);
  EXPECT_EQ(PrivateKey::fromPemFile(path)->publicKey().id(), key->publicKey().id());
  ::chmod(path.c_str(), 0640);
  auto exposed = PrivateKey::fromPemFile(path);
  ASSERT_FALSE(exposed.has_value());
  EXPECT_EQ(exposed.error().code(), ErrorCode::NotPermitted);

  std::ofstream(dir.path() / "junk.pub")
      << "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
  EXPECT_FALSE(PublicKey::fromPemFile(dir.path() / "junk.pub").has_value());
}

}  // namespace
}  // namespace sc::envelope
