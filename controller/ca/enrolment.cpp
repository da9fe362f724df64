#include "controller/ca/enrolment.h"

#include "common/limits.h"
#include "common/text/escape.h"
#include "controller/ca/csr_policy.h"
#include "controller/ca/enrolment_tokens.h"

namespace sc::controller::ca {
namespace {

constexpr std::size_t kMaxCsrBytes = 16 * 1024;

EnrolOutcome issued(std::string name, const pki::Certificate& certificate) {
  return {EnrolOutcome::Status::Issued, std::move(name), certificate.pem()};
}

Result<EnrolOutcome> decide(CertificateAuthority& authority, const EnrolRequest& request,
                            const pki::CertificateRequest& csr, const std::string& name,
                            std::int64_t now, std::int64_t validity) {
  if (request.session_identity) {
    if (*request.session_identity != name) {
      return Error(ErrorCode::NotPermitted,
                   "a session may renew only its own certificate (the request names another host)");
    }
    SC_TRY_ASSIGN(auto certificate, authority.issueAgent(csr, name, now, validity));
    return issued(name, certificate);
  }
  if (!request.token.empty()) {
    SC_TRY(consumeToken(authority.dir(), request.token, name, now));
    SC_TRY_ASSIGN(auto certificate, authority.issueAgent(csr, name, now, validity));
    return issued(name, certificate);
  }
  // No token: an operator decides. A certificate already signed for this
  // very key (`scctl ca sign`) is handed out; anything else waits.
  SC_TRY_ASSIGN(auto existing, authority.agentCertificate(name));
  if (existing) {
    SC_TRY_ASSIGN(const auto revoked, authority.revokedSerials());
    const std::string wanted = pki::publicKeyFingerprint(X509_REQ_get0_pubkey(csr.get()));
    if (pki::publicKeyFingerprint(X509_get0_pubkey(existing->get())) == wanted &&
        revoked.count(existing->serialHex()) == 0 && existing->notAfter() > now) {
      return issued(name, *existing);
    }
  }
  SC_TRY(authority.addPending(csr, name, now));
  return EnrolOutcome{EnrolOutcome::Status::Pending, name, {}};
}

}  // namespace

Result<EnrolOutcome> enrol(CertificateAuthority& authority, const EnrolRequest& request,
                           std::int64_t now, std::int64_t validity) {
  nlohmann::json event = {{"event", "enrol"},
                          {"peer", request.peer},
                          {"renewal", request.session_identity.has_value()},
                          {"token", !request.token.empty()}};
  auto outcome = [&]() -> Result<EnrolOutcome> {
    if (request.csr_pem.size() > kMaxCsrBytes) {
      return Error(ErrorCode::CsrInvalid, "csr_invalid:size: the request is too large");
    }
    SC_TRY_ASSIGN(auto csr, pki::CertificateRequest::fromPem(request.csr_pem, "request"));
    SC_TRY_ASSIGN(const std::string name, checkRequest(csr));
    event["name"] = name;
    SC_TRY_ASSIGN(auto lock, CaLock::take(authority.dir()));
    return decide(authority, request, csr, name, now, validity);
  }();
  if (outcome) {
    event["result"] = outcome->status == EnrolOutcome::Status::Issued ? "issued" : "pending";
  } else {
    event["result"] = reasonCode(outcome.error().code());
    event["why"] = text::escapeControl(outcome.error().message());
  }
  authority.audit(std::move(event), now);
  return outcome;
}

}  // namespace sc::controller::ca
