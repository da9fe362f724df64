#include "agent/session/agent_session.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>

#include "agent/session/child_run.h"
#include "agent/session/dial.h"
#include "agent/verify/trust_store.h"
#include "common/crypto/openssl.h"
#include "common/fs/atomic_file.h"
#include "common/limits.h"
#include "common/log/log.h"
#include "common/pki/certificate.h"
#include "common/protocol/report_id.h"
#include "common/random.h"
#include "common/time/duration.h"
#include "common/time/rfc3339.h"

namespace sc::agent::session {
namespace {

namespace asio = boost::asio;
constexpr auto kTupleAwaitable = asio::as_tuple(asio::use_awaitable);
// Facts older than this are gathered again when a session starts.
constexpr auto kFactsRefresh = std::chrono::minutes(10);
// Seconds before a session whose renewal was not granted asks again.
constexpr std::int64_t kRenewalRetry = 3600;

// Keeps an event under its frame's cap: a resource's changes (large diffs)
// or a report's resource list are dropped, and the event says so.
void fitInto(nlohmann::json& event, protocol::MessageType type) {
  const std::size_t cap = protocol::messageInfo(static_cast<std::uint16_t>(type))->max_body_bytes;
  if (event.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).size() <= cap) return;
  if (event.contains("resource")) event["resource"]["changes"] = nlohmann::json::array();
  if (event.contains("report")) event["report"]["resources"] = nlohmann::json::array();
  event.erase("line");
  event["truncated"] = true;
}

}  // namespace

std::chrono::milliseconds backoffDelay(int attempt, std::chrono::milliseconds base,
                                       std::chrono::milliseconds cap) {
  std::int64_t ceiling = base.count();
  for (int i = 0; i < attempt && ceiling < cap.count(); ++i) ceiling *= 2;
  ceiling = std::min<std::int64_t>(ceiling, cap.count());
  if (ceiling <= 0) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(
      static_cast<std::int64_t>(randomBelow(static_cast<std::size_t>(ceiling) + 1)));
}

std::chrono::milliseconds Reconnection::after(std::chrono::steady_clock::duration session_lasted) {
  if (session_lasted > healthy_) {
    attempt_ = 0;
    if (splay_ > base_) {
      ++attempt_;
      return std::chrono::milliseconds(
          static_cast<std::int64_t>(randomBelow(static_cast<std::size_t>(splay_.count()) + 1)));
    }
  }
  return backoffDelay(attempt_++, base_, cap_);
}

AgentSession::AgentSession(asio::io_context& io, RunSettings settings, Enrolment enrolment)
    : io_(io),
      settings_(std::move(settings)),
      enrolment_(std::move(enrolment)),
      wait_(io),
      schedule_(io),
      spool_(std::filesystem::path(settings_.state_dir) / "reports", settings_.spool_capacity) {}

void AgentSession::stop() {
  stopping_ = true;
  wait_.cancel();
  schedule_.cancel();
  if (current_) current_->close();
}

Result<void> AgentSession::loadTls() {
  SC_TRY_ASSIGN(auto context, tls::makeClientContext(sessionTlsSettings(settings_.credentials,
                                                                        enrolment_.controller)));
  tls_ = std::make_unique<asio::ssl::context>(context.release());
  return {};
}

asio::awaitable<void> AgentSession::run() {
  if (settings_.run_interval.count() > 0) asio::co_spawn(io_, scheduledRuns(), asio::detached);
  if (settings_.splay.count() > 0) {
    wait_.expires_after(std::chrono::milliseconds(
        randomBelow(static_cast<std::size_t>(settings_.splay.count()) + 1)));
    co_await wait_.async_wait(kTupleAwaitable);
  }
  Reconnection reconnection(settings_.backoff_base, settings_.backoff_cap, settings_.splay);
  while (!stopping_) {
    const auto started = protocol::Clock::now();
    const Error ended = co_await once();
    session_ready_ = false;
    if (stopping_) break;
    const auto delay = reconnection.after(protocol::Clock::now() - started);
    spdlog::warn("session with {} ended: {}; next attempt in {} ms", enrolment_.controller.text(),
                 ended.describe(), delay.count());
    wait_.expires_after(delay);
    co_await wait_.async_wait(kTupleAwaitable);
  }
}

asio::awaitable<Error> AgentSession::once() {
  // Read afresh each time: a renewed certificate is used at the next dial.
  if (auto loaded = loadTls(); !loaded) co_return std::move(loaded.error());
  auto executor = co_await asio::this_coro::executor;
  auto dialled = co_await dial(executor, enrolment_.controller, *tls_, settings_.connect_timeout);
  if (!dialled) co_return std::move(dialled.error());
  current_ = *dialled;
  auto connection = current_;
  auto welcome = co_await greet(*connection, enrolment_.name, settings_.connect_timeout);
  if (!welcome) {
    connection->close();
    co_return std::move(welcome.error());
  }
  const auto heartbeat = std::chrono::seconds(
      std::clamp<std::int64_t>(welcome->value("heartbeat_seconds", 30), 1, 3600));
  spdlog::info("connected to {} as '{}' ({})", enrolment_.controller.text(), enrolment_.name,
               tls::describeSession(connection->ssl()));
  asio::co_spawn(executor, heartbeats(connection, heartbeat), asio::detached);
  // Facts ready before the controller asks: `scctl apply` takes them up to
  // its --facts-max-age old, so a push need not wait for a thousand
  // fact-gathering children.
  if (facts_text_.empty() || protocol::Clock::now() - facts_gathered_ > kFactsRefresh) {
    asio::co_spawn(
        executor, [this]() -> asio::awaitable<void> { co_await refreshFacts(); }, asio::detached);
  }
  if (auto renewed = co_await renewIfDue(*connection); !renewed) {
    connection->close();
    co_return std::move(renewed.error());
  }
  // What the spool kept while there was no session goes first, oldest
  // first; each leaves the spool when the controller acknowledges it.
  session_ready_ = true;
  for (const auto& report : spool_.pending()) sendReport(report);
  // Sessions last for weeks: one still open when the certificate comes due
  // ends (between pushes), and the next renews at its start.
  std::int64_t renewal_due = renewalDueAt().value_or(INT64_MAX);
  // Still due: the controller did not issue one (the request waits for an
  // operator, say). This session carries on, and asks again in an hour.
  if (time::unixNow() >= renewal_due) renewal_due = time::unixNow() + kRenewalRetry;
  for (;;) {
    if (time::unixNow() >= renewal_due && !applying_) {
      connection->close();
      co_return Error(ErrorCode::Expired,
                      "this host's certificate is due for renewal: reconnecting to renew it");
    }
    // The controller answers every heartbeat: three missed ones mean the
    // session is dead even if TCP has not noticed.
    auto frame = co_await connection->read(3 * heartbeat);
    if (!frame) {
      connection->close();
      co_return std::move(frame.error());
    }
    if (frame->type == protocol::MessageType::Error) {
      connection->close();
      co_return Error(ErrorCode::ProtocolError, "the controller closed the session",
                      connection->peerAddress(), frame->body.substr(0, 512));
    }
    if (frame->type == protocol::MessageType::Push ||
        frame->type == protocol::MessageType::FactsRequest) {
      auto body = nlohmann::json::parse(frame->body, nullptr, /*allow_exceptions=*/false);
      if (!body.is_object()) {
        connection->fail(Error(ErrorCode::ProtocolError, "a malformed request"));
        co_return Error(ErrorCode::ProtocolError, "the controller sent a malformed request");
      }
      if (frame->type == protocol::MessageType::Push) {
        asio::co_spawn(executor, applyPush(connection, std::move(body)), asio::detached);
      } else {
        asio::co_spawn(executor, sendFacts(connection, std::move(body)), asio::detached);
      }
    }
    if (frame->type == protocol::MessageType::Ack) {
      auto body = nlohmann::json::parse(frame->body, nullptr, /*allow_exceptions=*/false);
      if (body.is_object() && body.contains("report_id") && body["report_id"].is_string()) {
        spool_.acknowledge(body["report_id"].get<std::string>());
      }
    }
    // Heartbeat answers need nothing more.
  }
}

asio::awaitable<void> AgentSession::applyPush(std::shared_ptr<protocol::Connection> connection,
                                              nlohmann::json push) {
  const auto push_id = push.value("push_id", std::int64_t{0});
  nlohmann::json result = {{"push_id", push_id}};
  // A scheduled run takes a moment: the push waits for it rather than
  // being turned away.
  if (scheduled_running_) {
    asio::steady_timer poll(co_await asio::this_coro::executor);
    while (scheduled_running_ && !connection->closed()) {
      poll.expires_after(std::chrono::milliseconds(20));
      co_await poll.async_wait(kTupleAwaitable);
    }
  }
  if (applying_) {
    result["event"] = "refused";
    result["reason"] = "busy";
    result["message"] = "another pushed run is in progress";
    connection->send(protocol::MessageType::Result, result);
    co_return;
  }
  if (settings_.follow_root_documents) {
    if (auto walked = walkPushedRoots(push); !walked) {
      result["event"] = "refused";
      result["reason"] = reasonCode(walked.error().code());
      result["message"] = walked.error().describe();
      spdlog::error("push {} refused: {}", push_id, walked.error().describe());
      connection->send(protocol::MessageType::Result, result);
      co_return;
    }
  }
  applying_ = true;
  // The envelope goes to a file the child reads; the child checks it
  // completely (signature, host, serial, expiry) before anything else.
  const auto envelope_path = std::filesystem::path(settings_.state_dir) / "pushed.envelope.json";
  fs::AtomicWriteOptions private_file;
  private_file.mode = 0600;
  if (auto written = fs::writeFileAtomic(envelope_path, push.value("envelope", ""), private_file);
      !written) {
    applying_ = false;
    result["event"] = "failed";
    result["message"] = written.error().describe();
    connection->send(protocol::MessageType::Result, result);
    co_return;
  }
  std::vector<std::string> argv = {siblingProgram("sc-agent"),
                                   "apply",
                                   "--envelope",
                                   envelope_path.string(),
                                   "--events",
                                   "--host",
                                   enrolment_.name,
                                   "--state-dir",
                                   settings_.state_dir};
  if (push.value("check", false)) argv.push_back("--check");
  if (push.value("diff", false)) argv.push_back("--diff");
  argv.insert(argv.end(), settings_.apply_arguments.begin(), settings_.apply_arguments.end());
  // The result goes out once the child has exited, so whoever reads it may
  // push again at once and not find this run still holding the state lock.
  std::optional<nlohmann::json> ended;
  auto status = co_await runChild(
      argv,
      [&](std::string_view line) {
        auto event = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
        if (!event.is_object()) return;
        event["push_id"] = push_id;
        if (event.value("event", "") != "resource") {
          fitInto(event, protocol::MessageType::Result);
          ended = std::move(event);
          return;
        }
        fitInto(event, protocol::MessageType::Progress);
        connection->send(protocol::MessageType::Progress, event);
      },
      limits::kMaxManifestBytes);
  std::error_code ec;
  std::filesystem::remove(envelope_path, ec);
  applying_ = false;
  if (ended) {
    connection->send(protocol::MessageType::Result, *ended);
  } else {
    result["event"] = "failed";
    result["message"] = status ? fmt::format("the run ended without a report (status {})", *status)
                               : status.error().describe();
    connection->send(protocol::MessageType::Result, result);
  }
}

asio::awaitable<void> AgentSession::scheduledRuns() {
  while (!stopping_) {
    schedule_.expires_after(settings_.run_interval);
    co_await schedule_.async_wait(kTupleAwaitable);
    if (stopping_) break;
    // A push running now reports for itself; the next tick checks again.
    if (applying_) continue;
    co_await scheduledRun();
  }
}

asio::awaitable<void> AgentSession::scheduledRun() {
  applying_ = scheduled_running_ = true;
  std::vector<std::string> argv = {siblingProgram("sc-agent"),
                                   "apply",
                                   "--last-applied",
                                   "--events",
                                   "--host",
                                   enrolment_.name,
                                   "--state-dir",
                                   settings_.state_dir};
  if (!settings_.run_enforce) argv.push_back("--check");
  argv.insert(argv.end(), settings_.apply_arguments.begin(), settings_.apply_arguments.end());
  std::optional<nlohmann::json> ended;
  auto status = co_await runChild(
      argv,
      [&](std::string_view line) {
        auto event = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
        if (event.is_object() && event.value("event", "") != "resource") ended = std::move(event);
      },
      limits::kMaxManifestBytes);
  applying_ = scheduled_running_ = false;
  if (!ended) {
    spdlog::error("scheduled run ended without a report ({})",
                  status ? fmt::format("status {}", *status) : status.error().describe());
    co_return;
  }
  const std::string event = ended->value("event", "");
  if (event == "nothing_applied") co_return;
  if (event != "report") {
    spdlog::error("scheduled run refused the kept manifest: {}", ended->value("message", event));
    co_return;
  }
  nlohmann::json report = std::move(*ended);
  report["report_id"] = protocol::newReportId();
  report["trigger"] = "schedule";
  report["ran_at"] = time::unixNow();
  fitInto(report, protocol::MessageType::Report);
  if (report.value("stale", false)) {
    spdlog::warn("the manifest this host enforces (serial {}) has expired; reporting stale",
                 report.value("serial", std::uint64_t{0}));
  }
  if (auto kept = spool_.add(report); !kept) {
    // Sent all the same: only a lost session can lose it now.
    spdlog::error("cannot spool report {}: {}", report.value("report_id", ""),
                  kept.error().describe());
  }
  sendReport(report);
}

void AgentSession::sendReport(const nlohmann::json& report) {
  if (current_ && session_ready_ && !current_->closed()) {
    current_->send(protocol::MessageType::Report, report);
  }
}

Result<void> AgentSession::walkPushedRoots(const nlohmann::json& push) const {
  const auto roots = push.find("roots");
  if (roots == push.end() || roots->empty()) return {};
  if (!roots->is_array() || roots->size() > envelope::kMaxRootChain * 4) {
    return Error(ErrorCode::ProtocolError, "'roots' must be a short list of root documents");
  }
  std::vector<std::string> texts;
  for (const auto& root : *roots) {
    if (!root.is_string()) return Error(ErrorCode::ProtocolError, "a root document not a string");
    texts.push_back(root.get<std::string>());
  }
  SC_TRY_ASSIGN(const auto walked,
                updateTrustedRoot(settings_.state_dir, texts, WithoutAnchor::InstallVersionOne));
  spdlog::debug("trusting root version {}", walked.document.version);
  return {};
}

asio::awaitable<bool> AgentSession::refreshFacts() {
  std::vector<std::string> argv = {siblingProgram("sc-agent"), "facts", "--json"};
  argv.insert(argv.end(), settings_.facts_arguments.begin(), settings_.facts_arguments.end());
  std::string text;
  auto status = co_await runChild(
      argv,
      [&](std::string_view line) {
        text += line;
        text += '\n';
      },
      8 * 1024 * 1024);
  const auto facts = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!status || *status != 0 || !facts.is_object()) co_return false;
  // Kept compact: the text is smaller than the parsed tree.
  facts_text_ = facts.dump();
  facts_gathered_ = protocol::Clock::now();
  co_return true;
}

asio::awaitable<void> AgentSession::sendFacts(std::shared_ptr<protocol::Connection> connection,
                                              nlohmann::json request) {
  const auto max_age = std::chrono::seconds(
      std::max<std::int64_t>(0, request.value("max_age_seconds", std::int64_t{0})));
  const bool fresh_enough =
      !facts_text_.empty() && protocol::Clock::now() - facts_gathered_ <= max_age;
  const bool gathered = fresh_enough || co_await refreshFacts();
  nlohmann::json answer = {{"request_id", request.value("request_id", std::int64_t{0})}};
  if (gathered) {
    answer["facts"] = nlohmann::json::parse(facts_text_);
  } else {
    answer["error"] = "gathering facts failed";
  }
  connection->send(protocol::MessageType::Facts, answer);
}

asio::awaitable<void> AgentSession::heartbeats(std::shared_ptr<protocol::Connection> connection,
                                               std::chrono::seconds interval) {
  asio::steady_timer tick(co_await asio::this_coro::executor);
  while (!connection->closed()) {
    tick.expires_after(interval);
    co_await tick.async_wait(kTupleAwaitable);
    if (connection->closed()) break;
    connection->send(protocol::MessageType::Heartbeat, {{"at", time::unixNow()}});
  }
}

Result<std::int64_t> AgentSession::renewalDueAt() const {
  SC_TRY_ASSIGN(auto certificate,
                pki::Certificate::fromPemFile(settings_.credentials.certificate()));
  // With a third of its life left: days of margin for a host that is off.
  const std::int64_t lifetime = certificate.notAfter() - certificate.notBefore();
  return certificate.notAfter() - lifetime / 3;
}

asio::awaitable<Result<void>> AgentSession::renewIfDue(protocol::Connection& connection) {
  auto due = renewalDueAt();
  if (!due) co_return std::move(due.error());
  if (time::unixNow() < *due) co_return ok();
  auto key = pki::EcKey::fromPemFile(settings_.credentials.key());
  if (!key) co_return std::move(key.error());
  auto request = pki::CertificateRequest::create(*key, enrolment_.name);
  if (!request) co_return std::move(request.error());
  connection.send(protocol::MessageType::Enroll, {{"csr", request->pem()}});
  auto answer =
      co_await expect(connection, protocol::MessageType::Enrolled, settings_.connect_timeout);
  if (!answer) co_return std::move(answer.error());
  if (answer->value("status", "") != "issued") co_return ok();
  auto renewed = pki::Certificate::fromPem(answer->value("certificate", ""), "renewal");
  if (!renewed) co_return std::move(renewed.error());
  if (pki::publicKeyFingerprint(X509_get0_pubkey(renewed->get())) !=
      pki::publicKeyFingerprint(key->get())) {
    co_return Error(ErrorCode::PeerNotController, "the renewed certificate is not for our key");
  }
  auto written = crypto::writePemFile(settings_.credentials.certificate(), renewed->pem(),
                                      crypto::FileSecrecy::Public, /*replace=*/true);
  if (!written) co_return std::move(written.error());
  spdlog::info("certificate renewed until {}", time::formatRfc3339(renewed->notAfter()));
  co_return ok();
}

}  // namespace sc::agent::session
