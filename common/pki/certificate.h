// X.509 certificates and certificate requests as the CA, the controller
// and the agents handle them: read from PEM, asked what they name, and
// written back. Issuing lives in controller/ca; only the CA issues.
#pragma once

#include <openssl/x509.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/pki/ec_key.h"

namespace sc::pki {

class Certificate {
 public:
  static Result<Certificate> fromPem(std::string_view pem, const std::string& source);
  static Result<Certificate> fromPemFile(const std::filesystem::path& path);
  // Takes one reference to `certificate` (the caller keeps its own).
  static Certificate fromX509(X509* certificate);

  std::string pem() const;
  X509* get() const { return cert_.get(); }
  // The subject's commonName (empty when there is none).
  std::string commonName() const;
  // Hex of the serial number, uppercase, as `openssl x509 -serial` shows it.
  std::string serialHex() const;
  // Validity bounds as Unix seconds.
  std::int64_t notBefore() const;
  std::int64_t notAfter() const;
  // Lowercase hex SHA-256 of the DER encoding: what an enrolment token pins.
  std::string fingerprint() const;
  bool isCa() const;

 private:
  explicit Certificate(std::shared_ptr<X509> cert) : cert_(std::move(cert)) {}
  std::shared_ptr<X509> cert_;
};

// A certificate request: what an agent sends to enrol.
class CertificateRequest {
 public:
  // Signs a request for `common_name` with `key`; it asks for nothing else
  // (no SAN, no key usage): the CA decides those.
  static Result<CertificateRequest> create(const EcKey& key, std::string_view common_name);
  static Result<CertificateRequest> fromPem(std::string_view pem, const std::string& source);

  std::string pem() const;
  X509_REQ* get() const { return req_.get(); }

 private:
  explicit CertificateRequest(std::shared_ptr<X509_REQ> req) : req_(std::move(req)) {}
  std::shared_ptr<X509_REQ> req_;
};

// The subject's commonName of a certificate or request (raw bytes, which the
// CA checks before it trusts them); empty when absent.
std::string subjectCommonName(X509_NAME* name);

}  // namespace sc::pki
