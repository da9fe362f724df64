#include "common/envelope/ed25519.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "common/crypto/openssl.h"
#include "common/hash.h"

namespace sc::envelope {
namespace {

std::shared_ptr<EVP_PKEY> own(EVP_PKEY* key) { return {key, &EVP_PKEY_free}; }

std::string rawPublic(EVP_PKEY* key) {
  std::string raw(kPublicKeyBytes, '\0');
  std::size_t length = raw.size();
  if (EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(raw.data()), &length) !=
          1 ||
      length != kPublicKeyBytes) {
    return {};
  }
  return raw;
}

// An Ed25519 key read from PEM text: a "PUBLIC KEY" or a "PRIVATE KEY".
Result<std::shared_ptr<EVP_PKEY>> readPem(std::string_view pem, const std::string& source,
                                          bool is_private) {
  const char* kind = is_private ? "private" : "public";
  auto bio = crypto::readBio(pem);
  EVP_PKEY* key = nullptr;
  if (bio) {
    key = is_private ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                     : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  }
  if (key == nullptr) {
    return Error(ErrorCode::Parse, fmt::format("not a PEM {} key", kind), source,
                 crypto::openSslError());
  }
  auto owned = own(key);
  if (EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
    return Error(ErrorCode::SignatureFormat, fmt::format("the {} key is not an Ed25519 key", kind),
                 source);
  }
  return owned;
}

}  // namespace

PublicKey::PublicKey(std::shared_ptr<EVP_PKEY> key, std::string raw)
    : key_(std::move(key)), raw_(std::move(raw)), id_(sha256Hex(raw_)) {}

Result<PublicKey> PublicKey::fromRaw(std::string_view raw) {
  if (raw.size() != kPublicKeyBytes) {
    return Error(
        ErrorCode::SignatureFormat,
        fmt::format("an Ed25519 public key is {} bytes, not {}", kPublicKeyBytes, raw.size()));
  }
  EVP_PKEY* key = EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
  if (key == nullptr) {
    return Error(ErrorCode::SignatureFormat, "not an Ed25519 public key", {},
                 crypto::openSslError());
  }
  return PublicKey(own(key), std::string(raw));
}

Result<PublicKey> PublicKey::fromPem(std::string_view pem, const std::string& source) {
  SC_TRY_ASSIGN(auto key, readPem(pem, source, /*is_private=*/false));
  std::string raw = rawPublic(key.get());
  return PublicKey(std::move(key), std::move(raw));
}

Result<PublicKey> PublicKey::fromPemFile(const std::filesystem::path& path) {
  SC_TRY_ASSIGN(const std::string text, crypto::readPemFile(path, crypto::FileSecrecy::Public));
  return fromPem(text, path.string());
}

std::string PublicKey::pem() const {
  return crypto::writePem([&](BIO* bio) { return PEM_write_bio_PUBKEY(bio, key_.get()); });
}

bool PublicKey::verify(std::string_view message, std::string_view signature) const {
  if (signature.size() != kSignatureBytes) return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                  &EVP_MD_CTX_free);
  if (!context || EVP_DigestVerifyInit(context.get(), nullptr, nullptr, nullptr, key_.get()) != 1) {
    ERR_clear_error();
    return false;
  }
  const int verified = EVP_DigestVerify(
      context.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
      reinterpret_cast<const unsigned char*>(message.data()), message.size());
  ERR_clear_error();
  return verified == 1;
}

PrivateKey::PrivateKey(std::shared_ptr<EVP_PKEY> key, PublicKey public_key)
    : key_(std::move(key)), public_(std::move(public_key)) {}

Result<PrivateKey> PrivateKey::generate() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (key == nullptr) {
    return Error(ErrorCode::Internal, "cannot generate an Ed25519 key", {}, crypto::openSslError());
  }
  auto owned = own(key);
  SC_TRY_ASSIGN(auto public_key, PublicKey::fromRaw(rawPublic(key)));
  return PrivateKey(std::move(owned), std::move(public_key));
}

Result<PrivateKey> PrivateKey::fromSeed(std::string_view seed) {
  if (seed.size() != kSeedBytes) {
    return Error(ErrorCode::SignatureFormat,
                 fmt::format("an Ed25519 seed is {} bytes, not {}", kSeedBytes, seed.size()));
  }
  EVP_PKEY* key = EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(seed.data()), seed.size());
  if (key == nullptr) {
    return Error(ErrorCode::SignatureFormat, "not an Ed25519 seed", {}, crypto::openSslError());
  }
  auto owned = own(key);
  SC_TRY_ASSIGN(auto public_key, PublicKey::fromRaw(rawPublic(key)));
  return PrivateKey(std::move(owned), std::move(public_key));
}

Result<PrivateKey> PrivateKey::fromPem(std::string_view pem, const std::string& source) {
  SC_TRY_ASSIGN(auto key, readPem(pem, source, /*is_private=*/true));
  SC_TRY_ASSIGN(auto public_key, PublicKey::fromRaw(rawPublic(key.get())));
  return PrivateKey(std::move(key), std::move(public_key));
}

Result<PrivateKey> PrivateKey::fromPemFile(const std::filesystem::path& path) {
  SC_TRY_ASSIGN(const std::string text, crypto::readPemFile(path, crypto::FileSecrecy::Secret));
  return fromPem(text, path.string());
}

std::string PrivateKey::pem() const {
  return crypto::writePem([&](BIO* bio) {
    return PEM_write_bio_PrivateKey(bio, key_.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
}

std::string PrivateKey::sign(std::string_view message) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                  &EVP_MD_CTX_free);
  std::string signature(kSignatureBytes, '\0');
  std::size_t length = signature.size();
  SC_CHECK(context &&
               EVP_DigestSignInit(context.get(), nullptr, nullptr, nullptr, key_.get()) == 1 &&
               EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()),
                              &length, reinterpret_cast<const unsigned char*>(message.data()),
                              message.size()) == 1 &&
               length == kSignatureBytes,
           "Ed25519 signing fails only on allocation failure");
  return signature;
}

Result<void> writeKeyPair(const PrivateKey& key, const std::filesystem::path& path) {
  SC_TRY(crypto::writePemFile(path, key.pem(), crypto::FileSecrecy::Secret, /*replace=*/false));
  auto pub = path;
  pub += ".pub";
  return crypto::writePemFile(pub, key.publicKey().pem(), crypto::FileSecrecy::Public,
                              /*replace=*/true);
}

}  // namespace sc::envelope
