// Ed25519 keys and signatures through OpenSSL (SECURITY.md T-34): PureEdDSA
// with the one-shot EVP_DigestSign / EVP_DigestVerify and no digest. The
// algorithm is fixed by the key's type, never read from a message.
//
// A key's id is the lowercase hex SHA-256 of its 32 raw public bytes: what
// an envelope names, and what a trust store is looked up by.
#pragma once

#include <openssl/types.h>

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "common/error.h"

namespace sc::envelope {

inline constexpr std::size_t kPublicKeyBytes = 32;
inline constexpr std::size_t kSeedBytes = 32;
inline constexpr std::size_t kSignatureBytes = 64;

class PublicKey {
 public:
  // The 32 raw bytes (RFC 8032's encoding).
  static Result<PublicKey> fromRaw(std::string_view raw);
  // A PEM "PUBLIC KEY" (SubjectPublicKeyInfo) holding an Ed25519 key;
  // `source` names it in errors.
  static Result<PublicKey> fromPem(std::string_view pem, const std::string& source);
  static Result<PublicKey> fromPemFile(const std::filesystem::path& path);

  const std::string& raw() const { return raw_; }
  const std::string& id() const { return id_; }
  std::string pem() const;

  // True only when `signature` is exactly 64 bytes and a valid signature of
  // `message` by this key.
  bool verify(std::string_view message, std::string_view signature) const;

 private:
  PublicKey(std::shared_ptr<EVP_PKEY> key, std::string raw);

  std::shared_ptr<EVP_PKEY> key_;
  std::string raw_;
  std::string id_;
};

class PrivateKey {
 public:
  static Result<PrivateKey> generate();
  // From the 32-byte seed (RFC 8032's private key; test vectors).
  static Result<PrivateKey> fromSeed(std::string_view seed);
  // A PEM "PRIVATE KEY" (PKCS #8) holding an Ed25519 key.
  static Result<PrivateKey> fromPem(std::string_view pem, const std::string& source);
  // Reads a key file, refusing one that others may read (mode & 077).
  static Result<PrivateKey> fromPemFile(const std::filesystem::path& path);

  std::string pem() const;
  const PublicKey& publicKey() const { return public_; }
  // The 64-byte signature of `message`.
  std::string sign(std::string_view message) const;

 private:
  PrivateKey(std::shared_ptr<EVP_PKEY> key, PublicKey public_key);

  std::shared_ptr<EVP_PKEY> key_;
  PublicKey public_;
};

// Writes a new key pair: `path` (the private key, mode 0600) and
// `path`.pub; refuses to replace an existing private key.
Result<void> writeKeyPair(const PrivateKey& key, const std::filesystem::path& path);

}  // namespace sc::envelope
