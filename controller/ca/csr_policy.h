// What the CA accepts in a certificate request before it signs anything
// (SECURITY.md B-18). A request may carry exactly one subject field, a
// commonName in the host name grammar (text/host_name.h), a key the CA
// accepts, a valid self-signature, and no extensions or attributes at all:
// the CA decides every extension (issuer.h), so asking for one (a SAN, an
// EKU) is itself a sign of a hostile or confused client.
//
// A refusal is ErrorCode::CsrInvalid whose message starts with the stable
// sub-reason "csr_invalid:<reason>", reason one of: signature, subject,
// name, extensions, attributes, key.
#pragma once

#include <string>

#include "common/error.h"
#include "common/pki/certificate.h"

namespace sc::controller::ca {

// The host name the request names, once it passes every check.
Result<std::string> checkRequest(const pki::CertificateRequest& request);

}  // namespace sc::controller::ca
