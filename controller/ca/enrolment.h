// What the controller answers an agent's certificate request (docs/
// enrolment.md). Three ways in:
//   - renewal: the session is already authenticated as NAME (a valid,
//     unrevoked certificate); the request must name NAME too (T-13);
//   - a token: one-time, unexpired, made for NAME (T-11) -> issued at once;
//   - neither: the request waits for an operator (`scctl ca sign NAME`);
//     asking again with the same key returns the certificate once signed.
// Every attempt, granted or not, is written to the CA's audit log.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/error.h"
#include "controller/ca/certificate_authority.h"

namespace sc::controller::ca {

struct EnrolRequest {
  std::string csr_pem;
  std::string token;                            // empty: none
  std::optional<std::string> session_identity;  // set on an authenticated session
  std::string peer;                             // the peer's address, for the audit log
};

struct EnrolOutcome {
  enum class Status { Issued, Pending };
  Status status = Status::Pending;
  std::string name;
  std::string certificate_pem;  // Issued only
};

Result<EnrolOutcome> enrol(CertificateAuthority& authority, const EnrolRequest& request,
                           std::int64_t now, std::int64_t validity = kDefaultAgentValidity);

}  // namespace sc::controller::ca
