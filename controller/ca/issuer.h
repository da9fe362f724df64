// Makes certificates. The profile alone decides what a certificate may do
// (SECURITY.md T-12): nothing is ever copied from a request but its public
// key, and the name the CA checked. An agent's certificate can only
// authenticate a client; only the controller's can serve.
#pragma once

#include <openssl/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/pki/certificate.h"
#include "common/pki/ec_key.h"

namespace sc::controller::ca {

enum class Profile {
  Root,        // the CA itself: self-signed, CA:TRUE, pathlen 0, signs certificates
  Controller,  // `scctl serve`: serverAuth, a subjectAltName per controller name
  Agent,       // an agent: clientAuth only, no subjectAltName
};

struct IssueRequest {
  Profile profile = Profile::Agent;
  EVP_PKEY* subject_key = nullptr;     // the public key to certify
  std::string common_name;             // already checked (csr_policy.h)
  std::vector<std::string> alt_names;  // Controller only: DNS names or IP addresses
  std::int64_t not_before = 0;         // Unix seconds
  std::int64_t not_after = 0;
};

// Signs `request` with the CA's key. For Profile::Root, `issuer` is null
// and the certificate signs itself with `issuer_key`.
Result<pki::Certificate> issue(const IssueRequest& request, const pki::Certificate* issuer,
                               const pki::EcKey& issuer_key);

}  // namespace sc::controller::ca
