// The ECDSA P-256 keys of the TLS certificates (the CA's, the controller's
// and each agent's). They are made where they are used and never travel:
// an agent sends a certificate request, not its key (docs/enrolment.md).
#pragma once

#include <openssl/types.h>

#include <filesystem>
#include <memory>
#include <string>

#include "common/error.h"

namespace sc::pki {

class EcKey {
 public:
  static Result<EcKey> generate();
  // A PEM "PRIVATE KEY" file of mode 0600 (crypto::readPemFile refuses others).
  static Result<EcKey> fromPemFile(const std::filesystem::path& path);
  static Result<EcKey> fromPem(std::string_view pem, const std::string& source);

  std::string pem() const;
  // Writes the key (mode 0600); never replaces an existing file.
  Result<void> writeNew(const std::filesystem::path& path) const;
  EVP_PKEY* get() const { return key_.get(); }

 private:
  explicit EcKey(std::shared_ptr<EVP_PKEY> key) : key_(std::move(key)) {}
  std::shared_ptr<EVP_PKEY> key_;
};

// "lowercase hex SHA-256" of a public key's SubjectPublicKeyInfo (DER): how
// a pending request and its later certificate are matched.
std::string publicKeyFingerprint(EVP_PKEY* key);

}  // namespace sc::pki
