#include "common/pki/ec_key.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "common/crypto/openssl.h"
#include "common/hash.h"

namespace sc::pki {

Result<EcKey> EcKey::generate() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (key == nullptr) {
    return Error(ErrorCode::Internal, "cannot generate an ECDSA P-256 key", {},
                 crypto::openSslError());
  }
  return EcKey({key, &EVP_PKEY_free});
}

Result<EcKey> EcKey::fromPem(std::string_view pem, const std::string& source) {
  auto bio = crypto::readBio(pem);
  EVP_PKEY* key = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (key == nullptr) {
    return Error(ErrorCode::Parse, "not a PEM private key", source, crypto::openSslError());
  }
  std::shared_ptr<EVP_PKEY> owned(key, &EVP_PKEY_free);
  if (!EVP_PKEY_is_a(key, "EC")) {
    return Error(ErrorCode::Schema, "the key is not an ECDSA key", source);
  }
  return EcKey(std::move(owned));
}

Result<EcKey> EcKey::fromPemFile(const std::filesystem::path& path) {
  SC_TRY_ASSIGN(const std::string text, crypto::readPemFile(path, crypto::FileSecrecy::Secret));
  return fromPem(text, path.string());
}

std::string EcKey::pem() const {
  return crypto::writePem([&](BIO* bio) {
    return PEM_write_bio_PrivateKey(bio, key_.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
}

Result<void> EcKey::writeNew(const std::filesystem::path& path) const {
  return crypto::writePemFile(path, pem(), crypto::FileSecrecy::Secret, /*replace=*/false);
}

std::string publicKeyFingerprint(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(key, &der);
  SC_CHECK(length > 0, "encoding a public key fails only on allocation failure");
  std::string fingerprint =
      sha256Hex(std::string_view(reinterpret_cast<char*>(der), static_cast<std::size_t>(length)));
  OPENSSL_free(der);
  return fingerprint;
}

}  // namespace sc::pki
