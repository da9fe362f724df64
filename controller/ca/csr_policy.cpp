#include "controller/ca/csr_policy.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "common/text/host_name.h"

namespace sc::controller::ca {
namespace {

constexpr int kMinRsaBits = 2048;

Error refuse(std::string_view reason, std::string_view detail) {
  return Error(ErrorCode::CsrInvalid, fmt::format("csr_invalid:{}: {}", reason, detail));
}

Result<void> checkKey(EVP_PKEY* key) {
  if (key == nullptr) return refuse("key", "the request holds no readable public key");
  if (EVP_PKEY_is_a(key, "EC")) {
    char group[64] = {};
    std::size_t length = 0;
    if (EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof group, &length) != 1) {
      return refuse("key", "the ECDSA key names no curve");
    }
    const std::string_view curve(group, length);
    if (curve != "prime256v1" && curve != "secp384r1") {
      return refuse("key", fmt::format("ECDSA curve {} is not accepted (P-256 or P-384)", curve));
    }
    return {};
  }
  if (EVP_PKEY_is_a(key, "ED25519")) return {};
  if (EVP_PKEY_is_a(key, "RSA")) {
    const int bits = EVP_PKEY_get_bits(key);
    if (bits < kMinRsaBits) {
      return refuse(
          "key", fmt::format("an RSA key of {} bits is too weak (at least {})", bits, kMinRsaBits));
    }
    return {};
  }
  return refuse("key", "unsupported key type (ECDSA P-256/P-384, Ed25519 or RSA >= 2048)");
}

}  // namespace

Result<std::string> checkRequest(const pki::CertificateRequest& request) {
  X509_REQ* req = request.get();
  EVP_PKEY* key = X509_REQ_get0_pubkey(req);
  SC_TRY(checkKey(key));
  if (X509_REQ_verify(req, key) != 1) {
    return refuse("signature", "the request is not signed by the key it holds");
  }
  X509_NAME* subject = X509_REQ_get_subject_name(req);
  if (X509_NAME_entry_count(subject) != 1 ||
      X509_NAME_get_index_by_NID(subject, NID_commonName, -1) != 0) {
    return refuse("subject", "the subject must be exactly one commonName (CN=host name)");
  }
  const std::string name = pki::subjectCommonName(subject);
  if (auto valid = text::checkHostName(name); !valid) {
    return refuse("name", valid.error().message());
  }
  STACK_OF(X509_EXTENSION)* extensions = X509_REQ_get_extensions(req);
  const int extension_count = extensions == nullptr ? 0 : sk_X509_EXTENSION_num(extensions);
  sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);
  if (extension_count > 0) {
    return refuse("extensions",
                  "the request asks for extensions (subjectAltName, key usage, ...); the CA "
                  "decides those, so it asks for nothing");
  }
  if (X509_REQ_get_attr_count(req) > 0) {
    return refuse("attributes", "the request carries attributes; none are accepted");
  }
  return name;
}

}  // namespace sc::controller::ca
