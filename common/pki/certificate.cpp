#include "common/pki/certificate.h"

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/crypto/openssl.h"
#include "common/hash.h"

namespace sc::pki {
namespace {

std::int64_t unixTime(const ASN1_TIME* time) {
  struct tm parts {};
  if (time == nullptr || ASN1_TIME_to_tm(time, &parts) != 1) return 0;
  return static_cast<std::int64_t>(timegm(&parts));
}

}  // namespace

std::string subjectCommonName(X509_NAME* name) {
  if (name == nullptr) return {};
  const int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (index < 0) return {};
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  if (data == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                     static_cast<std::size_t>(ASN1_STRING_length(data)));
}

Result<Certificate> Certificate::fromPem(std::string_view pem, const std::string& source) {
  auto bio = crypto::readBio(pem);
  X509* cert = bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (cert == nullptr) {
    return Error(ErrorCode::Parse, "not a PEM certificate", source, crypto::openSslError());
  }
  return Certificate({cert, &X509_free});
}

Result<Certificate> Certificate::fromPemFile(const std::filesystem::path& path) {
  SC_TRY_ASSIGN(const std::string text, crypto::readPemFile(path, crypto::FileSecrecy::Public));
  return fromPem(text, path.string());
}

Certificate Certificate::fromX509(X509* certificate) {
  X509_up_ref(certificate);
  return Certificate({certificate, &X509_free});
}

std::string Certificate::pem() const {
  return crypto::writePem([&](BIO* bio) { return PEM_write_bio_X509(bio, cert_.get()); });
}

std::string Certificate::commonName() const {
  return subjectCommonName(X509_get_subject_name(cert_.get()));
}

std::string Certificate::serialHex() const {
  BIGNUM* number = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert_.get()), nullptr);
  SC_CHECK(number != nullptr, "a certificate always has a serial number");
  char* hex = BN_bn2hex(number);
  std::string text(hex);
  OPENSSL_free(hex);
  BN_free(number);
  return text;
}

std::int64_t Certificate::notBefore() const { return unixTime(X509_get0_notBefore(cert_.get())); }
std::int64_t Certificate::notAfter() const { return unixTime(X509_get0_notAfter(cert_.get())); }

std::string Certificate::fingerprint() const {
  unsigned char* der = nullptr;
  const int length = i2d_X509(cert_.get(), &der);
  SC_CHECK(length > 0, "encoding a certificate fails only on allocation failure");
  std::string fingerprint =
      sha256Hex(std::string_view(reinterpret_cast<char*>(der), static_cast<std::size_t>(length)));
  OPENSSL_free(der);
  return fingerprint;
}

bool Certificate::isCa() const { return X509_check_ca(cert_.get()) != 0; }

Result<CertificateRequest> CertificateRequest::create(const EcKey& key,
                                                      std::string_view common_name) {
  std::shared_ptr<X509_REQ> req(X509_REQ_new(), &X509_REQ_free);
  X509_NAME* name = X509_REQ_get_subject_name(req.get());
  if (!req || X509_REQ_set_version(req.get(), 0) != 1 ||
      X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.data()),
                                 static_cast<int>(common_name.size()), -1, 0) != 1 ||
      X509_REQ_set_pubkey(req.get(), key.get()) != 1 ||
      X509_REQ_sign(req.get(), key.get(), EVP_sha256()) <= 0) {
    return Error(ErrorCode::Internal, "cannot make the certificate request",
                 std::string(common_name), crypto::openSslError());
  }
  return CertificateRequest(std::move(req));
}

Result<CertificateRequest> CertificateRequest::fromPem(std::string_view pem,
                                                       const std::string& source) {
  auto bio = crypto::readBio(pem);
  X509_REQ* req = bio ? PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (req == nullptr) {
    return Error(ErrorCode::CsrInvalid, "not a PEM certificate request", source,
                 crypto::openSslError());
  }
  return CertificateRequest({req, &X509_REQ_free});
}

std::string CertificateRequest::pem() const {
  return crypto::writePem([&](BIO* bio) { return PEM_write_bio_X509_REQ(bio, req_.get()); });
}

}  // namespace sc::pki
