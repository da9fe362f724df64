#include "agent/session/enrol.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_future.hpp>
#include <thread>

#include "common/crypto/openssl.h"
#include "common/pki/certificate.h"
#include "common/pki/ec_key.h"

namespace sc::agent::session {
namespace {

namespace asio = boost::asio;

struct Answer {
  EnrolStatus status = EnrolStatus::Pending;
  std::string certificate;
  std::string ca;
  std::int64_t retry_seconds = 30;
};

asio::awaitable<Result<Answer>> askOnce(const EnrolSettings& settings,
                                        const pki::CertificateRequest& request,
                                        asio::ssl::context& tls) {
  auto executor = co_await asio::this_coro::executor;
  auto connection = co_await dial(executor, settings.controller, tls, settings.timeout);
  if (!connection) co_return std::move(connection.error());
  auto& session = **connection;
  // Nothing is sent before the controller proved it holds the pinned CA.
  auto ca = tls::pinnedPeerCa(session.ssl(), settings.ca_fingerprint, settings.controller.host);
  if (!ca) {
    session.close();
    co_return std::move(ca.error());
  }
  auto welcome = co_await greet(session, settings.name, settings.timeout);
  if (!welcome) co_return std::move(welcome.error());
  nlohmann::json ask = {{"csr", request.pem()}};
  if (!settings.token.empty()) ask["token"] = settings.token;
  session.send(protocol::MessageType::Enroll, ask);
  auto enrolled = co_await expect(session, protocol::MessageType::Enrolled, settings.timeout);
  session.close();
  if (!enrolled) co_return std::move(enrolled.error());
  Answer answer;
  const std::string status = enrolled->value("status", "");
  if (status == "issued") {
    answer.status = EnrolStatus::Issued;
    answer.certificate = enrolled->value("certificate", "");
    answer.ca = enrolled->value("ca", "");
  } else if (status == "pending") {
    answer.retry_seconds = std::clamp<std::int64_t>(enrolled->value("retry_seconds", 30), 1, 3600);
  } else {
    co_return Error(ErrorCode::ProtocolError, "the controller answered with an unknown status",
                    settings.controller.text());
  }
  co_return answer;
}

// Checks what the controller issued before anything is stored: our key,
// our name, signed by the pinned CA.
Result<void> storeIssued(const EnrolSettings& settings, const Answer& answer,
                         const pki::EcKey& key) {
  SC_TRY_ASSIGN(const auto certificate,
                pki::Certificate::fromPem(answer.certificate, "certificate"));
  SC_TRY_ASSIGN(const auto ca, pki::Certificate::fromPem(answer.ca, "CA certificate"));
  if (ca.fingerprint() != settings.ca_fingerprint) {
    return Error(ErrorCode::PeerNotController,
                 "the controller sent another CA than the pinned one");
  }
  if (pki::publicKeyFingerprint(X509_get0_pubkey(certificate.get())) !=
          pki::publicKeyFingerprint(key.get()) ||
      certificate.commonName() != settings.name ||
      X509_verify(certificate.get(), X509_get0_pubkey(ca.get())) != 1) {
    return Error(ErrorCode::PeerNotController,
                 "the certificate the controller sent is not for this host's key and name");
  }
  const auto& files = settings.credentials;
  SC_TRY(crypto::writePemFile(files.ca(), ca.pem(), crypto::FileSecrecy::Public, true));
  SC_TRY(crypto::writePemFile(files.certificate(), certificate.pem(), crypto::FileSecrecy::Public,
                              true));
  return saveEnrolment(files, {settings.controller, settings.name});
}

}  // namespace

Result<EnrolStatus> enrolAgent(const EnrolSettings& settings) {
  const auto& files = settings.credentials;
  std::error_code ec;
  std::filesystem::create_directories(files.dir, ec);
  if (ec) return Error(ErrorCode::Io, "cannot create", files.dir.string(), ec.message());
  std::filesystem::permissions(files.dir, std::filesystem::perms::owner_all, ec);
  // The key is made once: asking again (or after `scctl ca sign`) must
  // present the same key the operator approved.
  if (!std::filesystem::exists(files.key(), ec)) {
    SC_TRY_ASSIGN(const auto fresh, pki::EcKey::generate());
    SC_TRY(fresh.writeNew(files.key()));
  }
  SC_TRY_ASSIGN(const auto key, pki::EcKey::fromPemFile(files.key()));
  SC_TRY_ASSIGN(const auto request, pki::CertificateRequest::create(key, settings.name));

  tls::ClientSettings tls_settings;
  tls_settings.server_name = settings.controller.host;
  SC_TRY_ASSIGN(auto context, tls::makeClientContext(tls_settings));
  asio::ssl::context tls(context.release());
  for (;;) {
    asio::io_context io(1);
    auto future = asio::co_spawn(io, askOnce(settings, request, tls), asio::use_future);
    io.run();
    SC_TRY_ASSIGN(const Answer answer, future.get());
    if (answer.status == EnrolStatus::Issued) {
      SC_TRY(storeIssued(settings, answer, key));
      return EnrolStatus::Issued;
    }
    if (!settings.wait) return EnrolStatus::Pending;
    std::this_thread::sleep_for(std::chrono::seconds(answer.retry_seconds));
  }
}

}  // namespace sc::agent::session
