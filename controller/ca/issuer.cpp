#include "controller/ca/issuer.h"

#include <arpa/inet.h>
#include <openssl/bn.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "common/crypto/openssl.h"

namespace sc::controller::ca {
namespace {

constexpr int kSerialBytes = 16;

// 128 random bits, top bit clear so the DER integer stays positive.
bool setRandomSerial(X509* cert) {
  unsigned char bytes[kSerialBytes];
  if (RAND_bytes(bytes, kSerialBytes) != 1) return false;
  bytes[0] &= 0x7f;
  bytes[0] |= 0x01 << 6;  // never a short serial
  std::unique_ptr<BIGNUM, decltype(&BN_free)> number(BN_bin2bn(bytes, kSerialBytes, nullptr),
                                                     &BN_free);
  return number && BN_to_ASN1_INTEGER(number.get(), X509_get_serialNumber(cert)) != nullptr;
}

bool addExtension(X509* cert, X509V3_CTX* context, int nid, const std::string& value) {
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, context, nid, value.c_str());
  if (extension == nullptr) return false;
  const bool added = X509_add_ext(cert, extension, -1) == 1;
  X509_EXTENSION_free(extension);
  return added;
}

bool isIpAddress(const std::string& name) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, name.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, name.c_str(), buffer) == 1;
}

std::string altNames(const std::vector<std::string>& names) {
  std::string value;
  for (const auto& name : names) {
    if (!value.empty()) value += ',';
    value += (isIpAddress(name) ? "IP:" : "DNS:") + name;
  }
  return value;
}

bool addProfileExtensions(X509* cert, X509V3_CTX* context, const IssueRequest& request) {
  switch (request.profile) {
    case Profile::Root:
      return addExtension(cert, context, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") &&
             addExtension(cert, context, NID_key_usage, "critical,keyCertSign,cRLSign") &&
             addExtension(cert, context, NID_subject_key_identifier, "hash");
    case Profile::Controller:
      return addExtension(cert, context, NID_basic_constraints, "critical,CA:FALSE") &&
             addExtension(cert, context, NID_key_usage, "critical,digitalSignature") &&
             addExtension(cert, context, NID_ext_key_usage, "serverAuth") &&
             addExtension(cert, context, NID_subject_key_identifier, "hash") &&
             addExtension(cert, context, NID_authority_key_identifier, "keyid:always") &&
             (request.alt_names.empty() ||
              addExtension(cert, context, NID_subject_alt_name, altNames(request.alt_names)));
    case Profile::Agent:
      return addExtension(cert, context, NID_basic_constraints, "critical,CA:FALSE") &&
             addExtension(cert, context, NID_key_usage, "critical,digitalSignature") &&
             addExtension(cert, context, NID_ext_key_usage, "clientAuth") &&
             addExtension(cert, context, NID_subject_key_identifier, "hash") &&
             addExtension(cert, context, NID_authority_key_identifier, "keyid:always");
  }
  return false;
}

}  // namespace

Result<pki::Certificate> issue(const IssueRequest& request, const pki::Certificate* issuer,
                               const pki::EcKey& issuer_key) {
  SC_CHECK(request.subject_key != nullptr, "issue() needs the subject's public key");
  SC_CHECK((request.profile == Profile::Root) == (issuer == nullptr),
           "only the root certificate signs itself");
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), &X509_free);
  auto fail = [&](const char* what) {
    return Error(ErrorCode::Internal, fmt::format("cannot issue the certificate: {}", what),
                 request.common_name, crypto::openSslError());
  };
  if (!cert || X509_set_version(cert.get(), 2) != 1 || !setRandomSerial(cert.get())) {
    return fail("serial number");
  }
  X509_NAME* subject = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_NID(subject, NID_commonName, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(request.common_name.data()),
                                 static_cast<int>(request.common_name.size()), -1, 0) != 1 ||
      X509_set_issuer_name(
          cert.get(), issuer == nullptr ? subject : X509_get_subject_name(issuer->get())) != 1) {
    return fail("names");
  }
  if (ASN1_TIME_set(X509_getm_notBefore(cert.get()), request.not_before) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert.get()), request.not_after) == nullptr ||
      X509_set_pubkey(cert.get(), request.subject_key) != 1) {
    return fail("validity or public key");
  }
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer == nullptr ? cert.get() : issuer->get(), cert.get(), nullptr,
                 nullptr, 0);
  if (!addProfileExtensions(cert.get(), &context, request)) return fail("extensions");
  if (X509_sign(cert.get(), issuer_key.get(), EVP_sha256()) <= 0) return fail("signature");
  return pki::Certificate::fromX509(cert.get());
}

}  // namespace sc::controller::ca
