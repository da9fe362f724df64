// What the CA refuses to sign (SECURITY.md B-18) and what it signs instead
// of what was asked (T-12): table-driven over hostile requests, then the
// certificate profiles checked on the issued certificates themselves.
#include "controller/ca/csr_policy.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "common/crypto/openssl.h"
#include "controller/ca/issuer.h"

namespace sc::controller::ca {
namespace {

using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

KeyPtr ecKey(const char* curve = "P-256") {
  return KeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve), &EVP_PKEY_free);
}
KeyPtr rsaKey(std::size_t bits) {
  return KeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", bits), &EVP_PKEY_free);
}
KeyPtr namedKey(const char* type) {
  return KeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, type), &EVP_PKEY_free);
}

struct RequestSpec {
  std::vector<std::pair<int, std::string>> subject = {{NID_commonName, "web1.example.com"}};
  std::vector<std::pair<int, std::string>> extensions;
  bool challenge_password = false;
  EVP_PKEY* swap_key_after_signing = nullptr;
};

// A request built with OpenSSL directly, so that it can ask for anything.
pki::CertificateRequest makeRequest(EVP_PKEY* key, const RequestSpec& spec) {
  std::unique_ptr<X509_REQ, decltype(&X509_REQ_free)> req(X509_REQ_new(), &X509_REQ_free);
  X509_NAME* name = X509_REQ_get_subject_name(req.get());
  for (const auto& [nid, value] : spec.subject) {
    X509_NAME_add_entry_by_NID(name, nid, MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(value.data()),
                               static_cast<int>(value.size()), -1, 0);
  }
  if (!spec.extensions.empty()) {
    STACK_OF(X509_EXTENSION)* extensions = sk_X509_EXTENSION_new_null();
    for (const auto& [nid, value] : spec.extensions) {
      sk_X509_EXTENSION_push(extensions, X509V3_EXT_conf_nid(nullptr, nullptr, nid, value.c_str()));
    }
    X509_REQ_add_extensions(req.get(), extensions);
    sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);
  }
  if (spec.challenge_password) {
    X509_REQ_add1_attr_by_NID(req.get(), NID_pkcs9_challengePassword, MBSTRING_ASC,
                              reinterpret_cast<const unsigned char*>("secret"), 6);
  }
  X509_REQ_set_pubkey(req.get(), key);
  // EdDSA keys sign without a separate digest.
  const bool eddsa = EVP_PKEY_is_a(key, "ED25519") || EVP_PKEY_is_a(key, "ED448");
  EXPECT_GT(X509_REQ_sign(req.get(), key, eddsa ? nullptr : EVP_sha256()), 0);
  // Another key after signing: the request no longer proves its key.
  if (spec.swap_key_after_signing != nullptr) {
    X509_REQ_set_pubkey(req.get(), spec.swap_key_after_signing);
  }
  const std::string pem =
      crypto::writePem([&](BIO* bio) { return PEM_write_bio_X509_REQ(bio, req.get()); });
  auto parsed = pki::CertificateRequest::fromPem(pem, "test");
  EXPECT_TRUE(parsed.has_value());
  return std::move(*parsed);
}

void expectRefused(const Result<std::string>& result, const std::string& reason) {
  ASSERT_FALSE(result.has_value()) << "accepted a request that should fail with " << reason;
  EXPECT_EQ(result.error().code(), ErrorCode::CsrInvalid);
  EXPECT_EQ(result.error().message().rfind("csr_invalid:" + reason + ":", 0), 0u)
      << result.error().message();
}

TEST(CsrPolicy, AcceptsAPlainRequestAndReturnsItsName) {
  const auto key = ecKey();
  auto name = checkRequest(makeRequest(key.get(), {}));
  ASSERT_TRUE(name.has_value()) << name.error().describe();
  EXPECT_EQ(*name, "web1.example.com");
}

TEST(CsrPolicy, AcceptsTheKeyTypesItPromises) {
  std::vector<KeyPtr> keys;
  keys.push_back(ecKey("P-384"));
  keys.push_back(rsaKey(2048));
  keys.push_back(namedKey("ED25519"));
  for (const auto& key : keys) {
    EXPECT_TRUE(checkRequest(makeRequest(key.get(), {})).has_value());
  }
}

TEST(CsrPolicy, RefusesHostileNames) {
  const auto key = ecKey();
  for (const std::string& cn :
       std::vector<std::string>{"web1\r\nBcc: x@example.invalid", "web1\x1b[2J", "../etc/passwd",
                                "web1/x", "*.example.com", "web..example.com", ".hidden",
                                "w\xc3\xa9"
                                "b1",
                                std::string("web1\0x", 6)}) {
    RequestSpec spec;
    spec.subject = {{NID_commonName, cn}};
    expectRefused(checkRequest(makeRequest(key.get(), spec)), "name");
  }
}

TEST(CsrPolicy, RefusesSubjectsOtherThanOneCommonName) {
  const auto key = ecKey();
  RequestSpec two_fields;
  two_fields.subject = {{NID_commonName, "web1"}, {NID_organizationName, "smartcookies"}};
  expectRefused(checkRequest(makeRequest(key.get(), two_fields)), "subject");
  RequestSpec no_cn;
  no_cn.subject = {{NID_organizationName, "web1"}};
  expectRefused(checkRequest(makeRequest(key.get(), no_cn)), "subject");
}

TEST(CsrPolicy, RefusesRequestedExtensionsAndAttributes) {
  const auto key = ecKey();
  RequestSpec san;
  san.extensions = {{NID_subject_alt_name, "DNS:controller.example.com"}};
  expectRefused(checkRequest(makeRequest(key.get(), san)), "extensions");
  RequestSpec eku;
  eku.extensions = {{NID_ext_key_usage, "serverAuth"}};
  expectRefused(checkRequest(makeRequest(key.get(), eku)), "extensions");
  RequestSpec ca;
  ca.extensions = {{NID_basic_constraints, "critical,CA:TRUE"}};
  expectRefused(checkRequest(makeRequest(key.get(), ca)), "extensions");
  RequestSpec password;
  password.challenge_password = true;
  expectRefused(checkRequest(makeRequest(key.get(), password)), "attributes");
}

TEST(CsrPolicy, RefusesWeakOrUnsupportedKeys) {
  expectRefused(checkRequest(makeRequest(rsaKey(1024).get(), {})), "key");
  expectRefused(checkRequest(makeRequest(ecKey("secp256k1").get(), {})), "key");
  expectRefused(checkRequest(makeRequest(namedKey("ED448").get(), {})), "key");
}

TEST(CsrPolicy, RefusesARequestItsKeyDidNotSign) {
  const auto key = ecKey();
  const auto other = ecKey();
  RequestSpec spec;
  spec.swap_key_after_signing = other.get();
  expectRefused(checkRequest(makeRequest(key.get(), spec)), "signature");
}

// T-12: what an issued certificate may do comes from its profile alone.
class IssuerTest : public ::testing::Test {
 protected:
  IssuerTest() {
    IssueRequest root;
    root.profile = Profile::Root;
    root.subject_key = ca_key_.get();
    root.common_name = "test CA";
    root.not_before = 1'700'000'000;
    root.not_after = 4'000'000'000;
    ca_ = *issue(root, nullptr, ca_key_);
  }

  pki::Certificate issueFor(Profile profile, EVP_PKEY* key, std::vector<std::string> alt = {}) {
    IssueRequest request;
    request.profile = profile;
    request.subject_key = key;
    request.common_name = "web1.example.com";
    request.alt_names = std::move(alt);
    request.not_before = 1'700'000'000;
    request.not_after = 1'700'000'000 + 90 * 86400;
    auto certificate = issue(request, &*ca_, ca_key_);
    EXPECT_TRUE(certificate.has_value());
    return std::move(*certificate);
  }

  static bool verifiesFor(const pki::Certificate& certificate, const pki::Certificate& ca,
                          int purpose) {
    std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(),
                                                                  &X509_STORE_free);
    X509_STORE_add_cert(store.get(), ca.get());
    std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> context(X509_STORE_CTX_new(),
                                                                            &X509_STORE_CTX_free);
    X509_STORE_CTX_init(context.get(), store.get(), certificate.get(), nullptr);
    X509_STORE_CTX_set_purpose(context.get(), purpose);
    X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(context.get()), 1'700'000'100);
    return X509_verify_cert(context.get()) == 1;
  }

  pki::EcKey ca_key_ = *pki::EcKey::generate();
  std::optional<pki::Certificate> ca_;
};

TEST_F(IssuerTest, AgentCertificatesAuthenticateClientsOnly) {
  const auto key = ecKey();
  const auto certificate = issueFor(Profile::Agent, key.get());
  EXPECT_EQ(certificate.commonName(), "web1.example.com");
  EXPECT_FALSE(certificate.isCa());
  EXPECT_TRUE(verifiesFor(certificate, *ca_, X509_PURPOSE_SSL_CLIENT));
  EXPECT_FALSE(verifiesFor(certificate, *ca_, X509_PURPOSE_SSL_SERVER));
  EXPECT_EQ(X509_get_ext_by_NID(certificate.get(), NID_subject_alt_name, -1), -1);
  EXPECT_EQ(X509_get_extended_key_usage(certificate.get()),
            static_cast<std::uint32_t>(XKU_SSL_CLIENT));
  EXPECT_EQ(certificate.notAfter() - certificate.notBefore(), 90 * 86400);
}

TEST_F(IssuerTest, ControllerCertificatesServeTheirNames) {
  const auto key = ecKey();
  const auto certificate =
      issueFor(Profile::Controller, key.get(), {"ctl.example.com", "127.0.0.1"});
  EXPECT_TRUE(verifiesFor(certificate, *ca_, X509_PURPOSE_SSL_SERVER));
  EXPECT_FALSE(verifiesFor(certificate, *ca_, X509_PURPOSE_SSL_CLIENT));
  EXPECT_EQ(X509_check_host(certificate.get(), "ctl.example.com", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(certificate.get(), "127.0.0.1", 0), 1);
  EXPECT_NE(X509_check_host(certificate.get(), "other.example.com", 0, 0, nullptr), 1);
}

TEST_F(IssuerTest, SerialsAreLargeAndUnique) {
  const auto key = ecKey();
  const auto a = issueFor(Profile::Agent, key.get());
  const auto b = issueFor(Profile::Agent, key.get());
  EXPECT_NE(a.serialHex(), b.serialHex());
  EXPECT_GE(a.serialHex().size(), 30u);
  EXPECT_TRUE(ca_->isCa());
}

}  // namespace
}  // namespace sc::controller::ca
