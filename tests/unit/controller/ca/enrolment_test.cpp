// Enrolment against a real CA directory (SECURITY.md T-11): a token is
// one-time, expiring and bound to its host; without one a request waits
// for an operator; every attempt is audited; revocation lists serials.
#include "controller/ca/enrolment.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "common/random.h"
#include "controller/ca/enrolment_tokens.h"
#include "tests/support/test_tree.h"

namespace sc::controller::ca {
namespace {

constexpr std::int64_t kNow = 1'800'000'000;

class EnrolmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InitOptions options;
    options.controller_names = {"localhost", "127.0.0.1"};
    ASSERT_TRUE(CertificateAuthority::init(dir(), options, kNow).has_value());
    auto opened = CertificateAuthority::open(dir());
    ASSERT_TRUE(opened.has_value()) << opened.error().describe();
    ca_.emplace(std::move(*opened));
  }

  std::filesystem::path dir() const { return temp_.path() / "ca"; }

  std::string csrFor(const std::string& name, const pki::EcKey& key) {
    return pki::CertificateRequest::create(key, name)->pem();
  }

  std::string token(const std::string& host, std::int64_t lifetime = 3600) {
    auto made = createToken(dir(), host, ca_->certificate().fingerprint(), kNow, lifetime);
    EXPECT_TRUE(made.has_value());
    return *made;
  }

  Result<EnrolOutcome> enrolWith(const std::string& name, const std::string& token_text,
                                 std::int64_t now = kNow) {
    EnrolRequest request;
    request.csr_pem = csrFor(name, key_);
    request.token = token_text;
    request.peer = "127.0.0.1:5555";
    return enrol(*ca_, request, now);
  }

  std::size_t issuedCount() { return ca_->issued()->size(); }

  std::size_t auditLines() {
    std::ifstream in(dir() / "audit.jsonl");
    std::size_t lines = 0;
    for (std::string line; std::getline(in, line);) ++lines;
    return lines;
  }

  testing::TempDir temp_;
  std::optional<CertificateAuthority> ca_;
  pki::EcKey key_ = *pki::EcKey::generate();
};

TEST_F(EnrolmentTest, InitWritesPrivateKeysAndRefusesASecondInit) {
  struct stat st {};
  ASSERT_EQ(::stat((dir() / "ca.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((dir() / "controller.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(dir().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  const std::string before = ca_->certificate().fingerprint();
  InitOptions options;
  options.controller_names = {"localhost"};
  auto again = CertificateAuthority::init(dir(), options, kNow);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code(), ErrorCode::Conflict);
  EXPECT_EQ(CertificateAuthority::open(dir())->certificate().fingerprint(), before);
}

TEST_F(EnrolmentTest, AValidTokenIssuesACertificateForItsHost) {
  auto outcome = enrolWith("web1", token("web1"));
  ASSERT_TRUE(outcome.has_value()) << outcome.error().describe();
  EXPECT_EQ(outcome->status, EnrolOutcome::Status::Issued);
  auto certificate = pki::Certificate::fromPem(outcome->certificate_pem, "issued");
  ASSERT_TRUE(certificate.has_value());
  EXPECT_EQ(certificate->commonName(), "web1");
  EXPECT_EQ(pki::publicKeyFingerprint(X509_get0_pubkey(certificate->get())),
            pki::publicKeyFingerprint(key_.get()));
  EXPECT_EQ(issuedCount(), 1u);
}

TEST_F(EnrolmentTest, ATokenIsSpentByItsFirstUse) {
  const std::string once = token("web1");
  ASSERT_TRUE(enrolWith("web1", once).has_value());
  auto again = enrolWith("web1", once);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code(), ErrorCode::TokenInvalid);
  EXPECT_NE(again.error().message().find("already used"), std::string::npos);
  EXPECT_EQ(issuedCount(), 1u);
}

TEST_F(EnrolmentTest, AnExpiredTokenIsRefused) {
  const std::string short_lived = token("web1", 60);
  auto late = enrolWith("web1", short_lived, kNow + 61);
  ASSERT_FALSE(late.has_value());
  EXPECT_EQ(late.error().code(), ErrorCode::TokenInvalid);
  EXPECT_NE(late.error().message().find("expired"), std::string::npos);
  EXPECT_EQ(issuedCount(), 0u);
}

TEST_F(EnrolmentTest, ATokenForAnotherHostIsRefusedAndSpent) {
  const std::string for_web1 = token("web1");
  auto stolen = enrolWith("web2", for_web1);
  ASSERT_FALSE(stolen.has_value());
  EXPECT_EQ(stolen.error().code(), ErrorCode::TokenInvalid);
  EXPECT_NE(stolen.error().message().find("another host"), std::string::npos);
  // The rightful host cannot use it either now: a token leaks once.
  EXPECT_FALSE(enrolWith("web1", for_web1).has_value());
  EXPECT_EQ(issuedCount(), 0u);
}

TEST_F(EnrolmentTest, AThousandRandomTokensIssueNothingAndAreAllAudited) {
  token("web1");  // a real token exists, so lookups have something to miss
  const std::size_t audited_before = auditLines();
  const std::string fingerprint = ca_->certificate().fingerprint();
  for (int i = 0; i < 1000; ++i) {
    auto outcome = enrolWith("web1", "sc1." + randomHex(32) + "." + fingerprint);
    ASSERT_FALSE(outcome.has_value());
    EXPECT_EQ(outcome.error().code(), ErrorCode::TokenInvalid);
  }
  EXPECT_EQ(issuedCount(), 0u);
  EXPECT_EQ(auditLines(), audited_before + 1000);
  auto malformed = enrolWith("web1", "not-a-token");
  ASSERT_FALSE(malformed.has_value());
  EXPECT_EQ(malformed.error().code(), ErrorCode::TokenInvalid);
}

TEST_F(EnrolmentTest, WithoutATokenARequestWaitsForTheOperator) {
  auto first = enrolWith("web1", "");
  ASSERT_TRUE(first.has_value()) << first.error().describe();
  EXPECT_EQ(first->status, EnrolOutcome::Status::Pending);
  EXPECT_EQ(issuedCount(), 0u);
  ASSERT_EQ(ca_->pending()->size(), 1u);
  EXPECT_EQ(ca_->pending()->front().key_fingerprint, pki::publicKeyFingerprint(key_.get()));

  // Another key asking for the same name does not replace the waiting one.
  EnrolRequest intruder;
  const auto other_key = *pki::EcKey::generate();
  intruder.csr_pem = csrFor("web1", other_key);
  auto refused = enrol(*ca_, intruder, kNow);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), ErrorCode::Conflict);

  ASSERT_TRUE(ca_->signPending("web1", kNow).has_value());
  EXPECT_TRUE(ca_->pending()->empty());
  auto after = enrolWith("web1", "");
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->status, EnrolOutcome::Status::Issued);
  // The intruder's key still gets nothing: the signed certificate is not its.
  auto intruder_again = enrol(*ca_, intruder, kNow);
  ASSERT_TRUE(intruder_again.has_value());
  EXPECT_EQ(intruder_again->status, EnrolOutcome::Status::Pending);
}

TEST_F(EnrolmentTest, RenewalIsForTheSessionsOwnNameOnly) {
  EnrolRequest renew;
  renew.csr_pem = csrFor("web2", key_);
  renew.session_identity = "web1";
  auto refused = enrol(*ca_, renew, kNow);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), ErrorCode::NotPermitted);
  renew.csr_pem = csrFor("web1", key_);
  auto renewed = enrol(*ca_, renew, kNow);
  ASSERT_TRUE(renewed.has_value());
  EXPECT_EQ(renewed->status, EnrolOutcome::Status::Issued);
}

TEST_F(EnrolmentTest, RevokeListsEverySerialOfTheHost) {
  auto first = enrolWith("web1", token("web1"));
  auto second = enrolWith("web1", token("web1"));
  auto other = enrolWith("web2", token("web2"));
  ASSERT_TRUE(first && second && other);
  auto count = ca_->revoke("web1", kNow);
  ASSERT_TRUE(count.has_value());
  EXPECT_EQ(*count, 2u);
  const auto revoked = *ca_->revokedSerials();
  EXPECT_EQ(revoked.count(pki::Certificate::fromPem(first->certificate_pem, "a")->serialHex()), 1u);
  EXPECT_EQ(revoked.count(pki::Certificate::fromPem(second->certificate_pem, "b")->serialHex()),
            1u);
  EXPECT_EQ(revoked.count(pki::Certificate::fromPem(other->certificate_pem, "c")->serialHex()), 0u);
  auto unknown = ca_->revoke("nobody", kNow);
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code(), ErrorCode::NotFound);
}

TEST_F(EnrolmentTest, HostileRequestsAreRefusedBeforeAnyTokenIsSpent) {
  const std::string valid = token("web1");
  EnrolRequest garbage;
  garbage.csr_pem =
      "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n";
  garbage.token = valid;
  auto refused = enrol(*ca_, garbage, kNow);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), ErrorCode::CsrInvalid);
  EnrolRequest huge;
  huge.csr_pem = std::string(1 << 20, 'A');
  huge.token = valid;
  EXPECT_FALSE(enrol(*ca_, huge, kNow).has_value());
  EXPECT_TRUE(enrolWith("web1", valid).has_value());
}

TEST(EnrolmentTokens, ParseAcceptsOnlyTheDocumentedShape) {
  const std::string secret(64, 'a');
  const std::string fingerprint(64, 'b');
  EXPECT_TRUE(parseToken("sc1." + secret + "." + fingerprint).has_value());
  EXPECT_FALSE(parseToken("sc2." + secret + "." + fingerprint).has_value());
  EXPECT_FALSE(parseToken("sc1." + secret + fingerprint).has_value());
  EXPECT_FALSE(parseToken("sc1." + std::string(64, 'A') + "." + fingerprint).has_value());
  EXPECT_FALSE(parseToken("sc1." + secret + "." + fingerprint + "0").has_value());
  EXPECT_FALSE(parseToken("").has_value());
}

}  // namespace
}  // namespace sc::controller::ca
