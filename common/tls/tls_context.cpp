#include "common/tls/tls_context.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "common/crypto/openssl.h"
#include "common/pki/ec_key.h"

namespace sc::tls {
namespace {

constexpr char kTls13Suites[] =
    "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256";
// Only forward-secret AEAD suites when TLS 1.2 is switched on.
constexpr char kTls12Ciphers[] =
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256";

Error tlsError(std::string message, const std::string& where = {}) {
  return Error(ErrorCode::TlsFailed, std::move(message), where, crypto::openSslError());
}

Result<ContextPtr> baseContext(const SSL_METHOD* method, bool allow_tls12) {
  ContextPtr context(SSL_CTX_new(method), &SSL_CTX_free);
  if (!context) return tlsError("cannot create a TLS context");
  SSL_CTX* ctx = context.get();
  if (SSL_CTX_set_min_proto_version(ctx, allow_tls12 ? TLS1_2_VERSION : TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_ciphersuites(ctx, kTls13Suites) != 1 ||
      SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1) {
    return tlsError("cannot restrict the TLS versions and suites");
  }
  // No resumption of any kind: every session is a full handshake, so a
  // revocation holds at the next connection (T-15).
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION |
                               SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(ctx, 0);
  return context;
}

Result<void> loadIdentity(SSL_CTX* ctx, const Identity& identity) {
  SC_TRY_ASSIGN(const auto certificate, pki::Certificate::fromPemFile(identity.certificate));
  SC_TRY_ASSIGN(const auto key, pki::EcKey::fromPemFile(identity.key));
  if (SSL_CTX_use_certificate(ctx, certificate.get()) != 1 ||
      SSL_CTX_use_PrivateKey(ctx, key.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    return tlsError("the certificate and key do not belong together",
                    identity.certificate.string());
  }
  return {};
}

// Trusts exactly one CA certificate (never the system's roots).
Result<void> trustOnly(SSL_CTX* ctx, const pki::Certificate& ca) {
  X509_STORE* store = X509_STORE_new();
  if (store == nullptr || X509_STORE_add_cert(store, ca.get()) != 1) {
    X509_STORE_free(store);
    return tlsError("cannot build the trust store");
  }
  SSL_CTX_set_cert_store(ctx, store);
  return {};
}

bool isIpAddress(const std::string& name) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, name.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, name.c_str(), buffer) == 1;
}

// The controller's certificate must name what was dialled.
Result<void> expectName(X509_VERIFY_PARAM* param, const std::string& server_name) {
  const int set = isIpAddress(server_name)
                      ? X509_VERIFY_PARAM_set1_ip_asc(param, server_name.c_str())
                      : X509_VERIFY_PARAM_set1_host(param, server_name.c_str(), 0);
  if (set != 1) return tlsError("cannot set the expected controller name", server_name);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  return {};
}

}  // namespace

Result<ContextPtr> makeServerContext(const ServerSettings& settings) {
  SC_TRY_ASSIGN(auto context, baseContext(TLS_server_method(), settings.allow_tls12));
  SSL_CTX* ctx = context.get();
  SC_TRY(loadIdentity(ctx, settings.identity));
  SC_TRY_ASSIGN(const auto ca, pki::Certificate::fromPemFile(settings.ca_certificate));
  SC_TRY(trustOnly(ctx, ca));
  // The CA goes out with our certificate: an enrolling agent pins it by
  // fingerprint (pinnedPeerCa) before it trusts us.
  if (SSL_CTX_add1_chain_cert(ctx, ca.get()) != 1)
    return tlsError("cannot add the CA to the chain");
  X509_VERIFY_PARAM_set_purpose(SSL_CTX_get0_param(ctx), X509_PURPOSE_SSL_CLIENT);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_verify_depth(ctx, 2);
  std::unique_ptr<STACK_OF(X509_NAME), void (*)(STACK_OF(X509_NAME)*)> names(
      sk_X509_NAME_new_null(),
      [](STACK_OF(X509_NAME) * list) { sk_X509_NAME_pop_free(list, X509_NAME_free); });
  if (names && sk_X509_NAME_push(names.get(), X509_NAME_dup(X509_get_subject_name(ca.get()))) > 0) {
    SSL_CTX_set_client_CA_list(ctx, names.release());
  }
  const unsigned char session_id[] = "smartcookies";
  SSL_CTX_set_session_id_context(ctx, session_id, sizeof session_id - 1);
  return context;
}

Result<ContextPtr> makeClientContext(const ClientSettings& settings) {
  SC_TRY_ASSIGN(auto context, baseContext(TLS_client_method(), settings.allow_tls12));
  SSL_CTX* ctx = context.get();
  if (settings.identity) SC_TRY(loadIdentity(ctx, *settings.identity));
  if (settings.ca_certificate) {
    SC_TRY_ASSIGN(const auto ca, pki::Certificate::fromPemFile(*settings.ca_certificate));
    SC_TRY(trustOnly(ctx, ca));
    X509_VERIFY_PARAM* param = SSL_CTX_get0_param(ctx);
    X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER);
    SC_TRY(expectName(param, settings.server_name));
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  } else {
    // Enrolment with a pinned CA: verification happens in pinnedPeerCa().
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  }
  return context;
}

Result<pki::Certificate> pinnedPeerCa(SSL* ssl, const std::string& fingerprint,
                                      const std::string& server_name) {
  auto refuse = [&](const std::string& why) {
    return Error(ErrorCode::PeerNotController, why, server_name);
  };
  X509* leaf = SSL_get0_peer_certificate(ssl);
  STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);
  if (leaf == nullptr || chain == nullptr) return refuse("the peer presented no certificate");
  std::optional<pki::Certificate> ca;
  for (int i = 0; i < sk_X509_num(chain); ++i) {
    auto candidate = pki::Certificate::fromX509(sk_X509_value(chain, i));
    if (candidate.fingerprint() == fingerprint && candidate.isCa()) ca = std::move(candidate);
  }
  if (!ca) {
    return refuse("the peer's certificate chain does not hold the CA the token pins");
  }
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), &X509_STORE_free);
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> check(X509_STORE_CTX_new(),
                                                                        &X509_STORE_CTX_free);
  if (!store || !check || X509_STORE_add_cert(store.get(), ca->get()) != 1 ||
      X509_STORE_CTX_init(check.get(), store.get(), leaf, nullptr) != 1) {
    return Error(ErrorCode::Internal, "cannot check the peer's certificate", server_name,
                 crypto::openSslError());
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(check.get());
  X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER);
  SC_TRY(expectName(param, server_name));
  if (X509_verify_cert(check.get()) != 1) {
    if (auto timing = certificateTimeError(X509_STORE_CTX_get_error(check.get()),
                                           "the controller's", server_name)) {
      return std::move(*timing);
    }
    return refuse(
        fmt::format("the peer is not the controller: {}",
                    X509_verify_cert_error_string(X509_STORE_CTX_get_error(check.get()))));
  }
  return std::move(*ca);
}

std::optional<Error> certificateTimeError(long verify_result, std::string_view whose,
                                          const std::string& subject) {
  // Certificates are issued a minute back-dated (controller/ca), so a
  // fresh one fails its start only when a clock is off by more than that.
  if (verify_result == X509_V_ERR_CERT_NOT_YET_VALID) {
    return Error(ErrorCode::NotYetValid,
                 fmt::format("{} certificate is not valid yet: this host's clock is probably "
                             "behind (check it with 'timedatectl status')",
                             whose),
                 subject);
  }
  if (verify_result == X509_V_ERR_CERT_HAS_EXPIRED) {
    return Error(ErrorCode::Expired,
                 fmt::format("{} certificate has expired, or this host's clock is ahead (check "
                             "it with 'timedatectl status')",
                             whose),
                 subject);
  }
  return std::nullopt;
}

std::optional<Error> refusedOnTime(const Error& failure, const std::string& subject) {
  // OpenSSL's reason text for alert 45 (certificate_expired).
  if (failure.cause().find("alert certificate expired") == std::string::npos) return std::nullopt;
  return Error(ErrorCode::Expired,
               "the controller refused this host's certificate as expired: "
               "check the clocks of this host and the controller ('timedatectl status'); if "
               "the certificate really expired, enrol again ('sc-agent enroll')",
               subject, failure.cause());
}

std::optional<pki::Certificate> peerCertificate(SSL* ssl) {
  X509* peer = SSL_get0_peer_certificate(ssl);
  if (peer == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) return std::nullopt;
  return pki::Certificate::fromX509(peer);
}

std::string describeSession(SSL* ssl) {
  return fmt::format("{} {}", SSL_get_version(ssl), SSL_get_cipher_name(ssl));
}

}  // namespace sc::tls
