// The TLS settings of agent sessions (SECURITY.md T-12, T-15, T-16), built
// once here for both sides: TLS 1.3 only unless TLS 1.2 is switched on,
// the three AEAD suites, certificates checked against the private CA
// alone (never the system's roots), no session resumption (a revoked
// agent must do a full handshake, and fail it), and EKU checks that keep
// an agent's certificate from ever acting as the controller's.
//
// These return plain OpenSSL contexts; the session code wraps them in
// Boost.Asio's ssl::context.
#pragma once

#include <openssl/ssl.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"
#include "common/pki/certificate.h"

namespace sc::tls {

using ContextPtr = std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>;

struct Identity {
  std::filesystem::path certificate;  // PEM
  std::filesystem::path key;          // PEM, mode 0600
};

struct ServerSettings {
  Identity identity;
  std::filesystem::path ca_certificate;  // agents' certificates chain to it; sent to peers
  bool allow_tls12 = false;
};

// Asks every client for a certificate but lets one without a certificate
// finish the handshake: such a session may only enrol (docs/protocol.md).
// A certificate that does not verify (another CA, expired, not for client
// auth) fails the handshake.
Result<ContextPtr> makeServerContext(const ServerSettings& settings);

struct ClientSettings {
  std::optional<Identity> identity;  // none while enrolling
  // The CA the controller's certificate must chain to. Unset while
  // enrolling with a token: the caller checks the pinned fingerprint
  // itself (pinnedPeerCa) before sending anything.
  std::optional<std::filesystem::path> ca_certificate;
  std::string server_name;  // the name dialled: DNS name or IP address, checked on the certificate
  bool allow_tls12 = false;
};

Result<ContextPtr> makeClientContext(const ClientSettings& settings);

// After a handshake without a CA (enrolment): finds in the peer's chain the
// CA certificate whose SHA-256 fingerprint is `fingerprint`, and checks the
// peer's certificate against it, for serverAuth and `server_name`. Returns
// that CA; PeerNotController when anything does not hold.
Result<pki::Certificate> pinnedPeerCa(SSL* ssl, const std::string& fingerprint,
                                      const std::string& server_name);

// A certificate that failed its check on its dates, said in words that
// name the clock (SECURITY.md F-15): `verify_result` is the X509_V_ERR_*
// code of the check, `whose` names the certificate ("the controller's").
// NotYetValid or Expired; nullopt when the failure is not about time.
std::optional<Error> certificateTimeError(long verify_result, std::string_view whose,
                                          const std::string& subject);

// The peer refused *our* certificate with TLS's "certificate expired"
// alert (OpenSSL sends it for a certificate past its end; one not yet valid
// gets a plain "bad certificate", which says nothing of time): `failure` is
// what the handshake or the first read returned. Expired, naming the
// clock; nullopt otherwise.
std::optional<Error> refusedOnTime(const Error& failure, const std::string& subject);

// The verified client certificate of an accepted session, if it sent one.
std::optional<pki::Certificate> peerCertificate(SSL* ssl);

// "TLSv1.3 TLS_AES_256_GCM_SHA384" for logs and tests.
std::string describeSession(SSL* ssl);

}  // namespace sc::tls
