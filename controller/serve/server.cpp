#include "controller/serve/server.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/json/strict_json.h"
#include "common/log/log.h"
#include "common/text/escape.h"
#include "common/text/host_name.h"
#include "common/time/duration.h"
#include "common/time/rfc3339.h"
#include "common/tls/tls_context.h"
#include "controller/ca/enrolment.h"
#include "controller/reports/agent_report.h"
#include "controller/serve/routes.h"
#include "controller/trust/root_chain.h"

namespace sc::controller::serve {
namespace {

namespace asio = boost::asio;
using protocol::MessageType;
constexpr auto kTupleAwaitable = asio::as_tuple(asio::use_awaitable);
constexpr json::ParseLimits kBodyLimits{16, 64ull * 1024 * 1024};
constexpr std::int64_t kPendingRetrySeconds = 30;
// A connection that sent no ClientHello this long after accept is idle.
constexpr auto kIdleHandshake = std::chrono::seconds(1);

Result<nlohmann::json> parseBody(const protocol::Frame& frame, const std::string& peer) {
  const auto* info = protocol::messageInfo(static_cast<std::uint16_t>(frame.type));
  auto body = json::parseStrictJson(
      frame.body, fmt::format("{} from {}", info != nullptr ? info->name : "frame", peer),
      kBodyLimits);
  if (!body) return Error(ErrorCode::ProtocolError, body.error().message(), peer);
  if (!body->is_object()) {
    return Error(ErrorCode::ProtocolError, "a message body must be a JSON object", peer);
  }
  return body;
}

std::string stringField(const nlohmann::json& body, const char* name) {
  const auto it = body.find(name);
  return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool speaksOurVersion(const nlohmann::json& hello) {
  const auto it = hello.find("protocol_versions");
  if (it == hello.end() || !it->is_array()) return false;
  return std::any_of(it->begin(), it->end(), [](const nlohmann::json& v) {
    return v.is_number_integer() && v.get<int>() == protocol::kProtocolVersion;
  });
}

}  // namespace

struct Server::Session {
  std::shared_ptr<protocol::Connection> connection;
  AgentSessionInfo info;
};

Server::Server(asio::io_context& io, ServeSettings settings, ca::CertificateAuthority authority)
    : io_(io),
      settings_(std::move(settings)),
      authority_(std::move(authority)),
      acceptor_(io),
      admin_acceptor_(io) {}

Server::~Server() { stop(); }

Result<std::uint16_t> Server::start() {
  tls::ServerSettings tls_settings;
  tls_settings.identity = {authority_.controllerCertificatePath(), authority_.controllerKeyPath()};
  tls_settings.ca_certificate = authority_.certificatePath();
  tls_settings.allow_tls12 = settings_.allow_tls12;
  SC_TRY_ASSIGN(auto context, tls::makeServerContext(tls_settings));
  tls_ = std::make_unique<asio::ssl::context>(context.release());
  SC_TRY(reloadRevocations());
  SC_TRY(reloadRoots());
  SC_TRY_ASSIGN(auto store, reports::ReportStore::open(settings_.database));
  store_.emplace(std::move(store));

  boost::system::error_code ec;
  const auto address = asio::ip::make_address(settings_.listen_address, ec);
  if (ec) {
    return Error(ErrorCode::InvalidArgument, "not an IP address to listen on",
                 settings_.listen_address);
  }
  const asio::ip::tcp::endpoint endpoint(address, settings_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error(ErrorCode::Io, "cannot listen",
                 fmt::format("{}:{}", settings_.listen_address, settings_.port), ec.message());
  }
  if (!settings_.admin_socket.empty()) SC_TRY(listenAdmin());
  asio::co_spawn(io_, acceptLoop(), asio::detached);
  asio::co_spawn(io_, watchRevocations(), asio::detached);
  return acceptor_.local_endpoint().port();
}

void Server::stop() {
  if (stopping_) return;
  stopping_ = true;
  flushReports();  // what arrived is kept, the results of pushes included
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  admin_acceptor_.close(ignored);
  if (!settings_.admin_socket.empty()) {
    std::error_code removed;
    std::filesystem::remove(settings_.admin_socket, removed);
  }
  for (auto& [host, session] : agents_) session->connection->close();
  agents_.clear();
  for (auto& pending : pending_handshakes_) {
    pending->listed = false;
    pending->connection->close();
  }
  pending_handshakes_.clear();
}

std::vector<AgentSessionInfo> Server::agents() const {
  std::vector<AgentSessionInfo> out;
  for (const auto& [host, session] : agents_) out.push_back(session->info);
  return out;
}

asio::awaitable<void> Server::acceptLoop() {
  while (!stopping_) {
    auto [ec, socket] = co_await acceptor_.async_accept(kTupleAwaitable);
    if (stopping_) co_return;
    if (ec) {
      // Out of descriptors or a transient error: pause rather than spin.
      spdlog::warn("accepting a connection failed: {}", ec.message());
      asio::steady_timer pause(io_, std::chrono::milliseconds(100));
      co_await pause.async_wait(kTupleAwaitable);
      continue;
    }
    if (!pending_handshakes_.empty() && pending_handshakes_.size() >= settings_.max_handshakes) {
      // Full. The oldest idler makes room (T-08). If there is none, this
      // is a crowd (a fleet reconnecting after a restart, F-17): the
      // newcomer is closed, and its backoff spreads the crowd out, where
      // evicting would cut handshakes short as fast as they arrive.
      const auto idler = std::find_if(pending_handshakes_.begin(), pending_handshakes_.end(),
                                      [&](const auto& pending) { return isIdle(*pending); });
      if (idler == pending_handshakes_.end()) {
        boost::system::error_code ignored;
        socket.close(ignored);
        continue;
      }
      (*idler)->listed = false;
      (*idler)->connection->close();
      pending_handshakes_.erase(idler);
    }
    socket.set_option(asio::ip::tcp::no_delay(true), ec);
    // Listed here, not in serve(): co_spawn only queues the coroutine, and a
    // burst of connections must meet the cap as it arrives.
    auto pending = std::make_shared<PendingHandshake>();
    pending->accepted_at = std::chrono::steady_clock::now();
    pending->connection =
        std::make_shared<protocol::Connection>(protocol::TlsStream(std::move(socket), *tls_));
    pending->slot = pending_handshakes_.insert(pending_handshakes_.end(), pending);
    asio::co_spawn(io_, serve(std::move(pending)), asio::detached);
  }
}

bool Server::isIdle(const PendingHandshake& pending) const {
  const auto waited = std::chrono::steady_clock::now() - pending.accepted_at;
  // No ClientHello a second after connecting: a real agent sends it at
  // once. Anything else is given half the handshake deadline, so an agent
  // on a slow link is not cut off by newcomers.
  const bool said_nothing = SSL_get_state(pending.connection->ssl()) == TLS_ST_BEFORE;
  return (said_nothing && waited >= kIdleHandshake) || waited >= settings_.handshake_timeout / 2;
}

asio::awaitable<void> Server::serve(std::shared_ptr<PendingHandshake> pending) {
  const std::shared_ptr<protocol::Connection> connection = pending->connection;
  auto handshake_done = [&] {
    if (pending->listed) pending_handshakes_.erase(pending->slot);
    pending->listed = false;
  };
  const std::string peer = connection->peerAddress();
  auto refuse = [&](const Error& error) {
    spdlog::info("session from {} refused: {}", peer, error.describe());
    connection->fail(error);
  };

  if (auto shook = co_await connection->handshake(true, settings_.handshake_timeout); !shook) {
    // An agent certificate outside its dates is worth an operator's eye: a
    // clock is wrong, or the host was away past its renewal (F-15).
    if (auto timing = tls::certificateTimeError(SSL_get_verify_result(connection->ssl()),
                                                "the agent's", peer)) {
      spdlog::warn("session from {} refused: {}", peer, timing->describe());
    } else {
      spdlog::debug("{}", shook.error().describe());
    }
    handshake_done();
    co_return;
  }
  Role role = Role::Enrolling;
  std::string host;
  AgentSessionInfo info;
  info.peer = peer;
  if (auto certificate = tls::peerCertificate(connection->ssl())) {
    host = certificate->commonName();
    info.serial = certificate->serialHex();
    info.certificate_not_after = certificate->notAfter();
    if (auto valid = text::checkHostName(host); !valid) {
      refuse(Error(ErrorCode::NotPermitted, valid.error().message()));
      handshake_done();
      co_return;
    }
    if (revoked_.count(info.serial) > 0) {
      refuse(Error(ErrorCode::Revoked, "this host's certificate is revoked", host));
      handshake_done();
      co_return;
    }
    role = Role::Agent;
  }

  auto hello = co_await connection->read(settings_.handshake_timeout);
  handshake_done();
  if (!hello) {
    if (hello.error().code() == ErrorCode::ProtocolError) refuse(hello.error());
    connection->close();
    co_return;
  }
  if (hello->type != MessageType::Hello) {
    refuse(Error(ErrorCode::ProtocolError, "the first message must be hello"));
    co_return;
  }
  auto hello_body = parseBody(*hello, peer);
  if (!hello_body) {
    refuse(hello_body.error());
    co_return;
  }
  if (!speaksOurVersion(*hello_body)) {
    refuse(Error(ErrorCode::ProtocolError,
                 fmt::format("no common protocol version (this controller speaks {})",
                             protocol::kProtocolVersion)));
    co_return;
  }
  if (role == Role::Agent && stringField(*hello_body, "host") != host) {
    refuse(Error(ErrorCode::NotPermitted, "hello names another host than the session's certificate",
                 host));
    co_return;
  }
  nlohmann::json welcome = {{"protocol_version", protocol::kProtocolVersion},
                            {"heartbeat_seconds", settings_.heartbeat.count()},
                            {"role", role == Role::Agent ? "agent" : "enrolling"}};
  std::shared_ptr<Session> session;
  if (role == Role::Agent) {
    welcome["host"] = host;
    welcome["certificate_expires_at"] = time::formatRfc3339(info.certificate_not_after);
    info.host = host;
    info.connected_at = info.last_seen = time::unixNow();
    session = std::make_shared<Session>(Session{connection, info});
    // One session per host: a reconnecting agent replaces its old session.
    if (auto old = agents_.find(host); old != agents_.end()) {
      // Whatever was sent to the old session is lost with it: its end will
      // not find itself in agents_ any more, so tell the waiters now.
      old->second->connection->close();
      failPending(host);
    }
    agents_[host] = session;
    spdlog::info("agent '{}' connected from {} ({})", text::escapeControl(host), peer,
                 tls::describeSession(connection->ssl()));
  }
  connection->send(MessageType::Welcome, welcome);

  for (;;) {
    auto frame = co_await connection->read(settings_.idle_timeout);
    if (!frame) {
      if (frame.error().code() == ErrorCode::ProtocolError ||
          frame.error().code() == ErrorCode::Timeout) {
        refuse(frame.error());
      }
      break;
    }
    if (routeFor(role, frame->type) == nullptr) {
      const auto* message = protocol::messageInfo(static_cast<std::uint16_t>(frame->type));
      refuse(
          Error(ErrorCode::ProtocolError, fmt::format("'{}' is not a message this session may send",
                                                      message != nullptr ? message->name : "?")));
      break;
    }
    if (session) session->info.last_seen = time::unixNow();
    auto body = parseBody(*frame, peer);
    if (!body) {
      refuse(body.error());
      break;
    }
    if (frame->type == MessageType::Heartbeat) {
      connection->send(MessageType::Heartbeat, {{"at", time::formatRfc3339(time::unixNow())}});
      continue;
    }
    if (frame->type == MessageType::Error) {
      spdlog::info("{} closed the session: {}", peer,
                   text::escapeControl(stringField(*body, "message")));
      break;
    }
    if (frame->type == MessageType::Hello) {
      refuse(Error(ErrorCode::ProtocolError, "hello may be sent only once"));
      break;
    }
    if (frame->type == MessageType::Enroll) {
      ca::EnrolRequest request;
      request.csr_pem = stringField(*body, "csr");
      request.token = stringField(*body, "token");
      request.peer = peer;
      if (role == Role::Agent) {
        // Renewal checks revocation afresh (T-15), not just at connect.
        if (auto reloaded = reloadRevocations(); reloaded && revoked_.count(info.serial) > 0) {
          refuse(Error(ErrorCode::Revoked, "this host's certificate is revoked", host));
          break;
        }
        request.session_identity = host;
      }
      auto outcome =
          ca::enrol(authority_, request, time::unixNow(), settings_.certificate_validity);
      if (!outcome) {
        refuse(outcome.error());
        break;
      }
      nlohmann::json answer = {{"name", outcome->name}};
      if (outcome->status == ca::EnrolOutcome::Status::Issued) {
        answer["status"] = "issued";
        answer["certificate"] = outcome->certificate_pem;
        answer["ca"] = authority_.certificate().pem();
      } else {
        answer["status"] = "pending";
        answer["retry_seconds"] = kPendingRetrySeconds;
      }
      connection->send(MessageType::Enrolled, answer);
      continue;
    }
    if (frame->type == MessageType::Report) {
      if (!storeReport(connection, host, *body)) break;
      continue;
    }
    if (frame->type == MessageType::Facts || frame->type == MessageType::Progress ||
        frame->type == MessageType::Result) {
      if (!forwardAnswer(host, frame->type, *body)) {
        refuse(Error(ErrorCode::NotPermitted, "an answer to nothing this host was asked", host));
        break;
      }
      continue;
    }
    // Ack: nothing awaits one yet.
  }
  co_await connection->flush(std::chrono::seconds(5));
  connection->close();
  if (session) {
    if (auto it = agents_.find(host); it != agents_.end() && it->second == session) {
      agents_.erase(it);
      failPending(host);
      spdlog::info("agent '{}' disconnected", text::escapeControl(host));
    }
  }
}

Result<void> Server::listenAdmin() {
  const auto& path = settings_.admin_socket;
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  // A socket left by a killed daemon is replaced; anything else is not.
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return Error(ErrorCode::Conflict, "not a socket; refusing to replace it", path.string());
    }
    std::filesystem::remove(path, ec);
  }
  const mode_t old_mask = ::umask(0177);  // the socket is born mode 0600
  boost::system::error_code bound;
  admin_acceptor_.open(asio::local::stream_protocol(), bound);
  if (!bound) admin_acceptor_.bind(asio::local::stream_protocol::endpoint(path.string()), bound);
  ::umask(old_mask);
  if (!bound) admin_acceptor_.listen(asio::socket_base::max_listen_connections, bound);
  if (bound) {
    return Error(ErrorCode::Io, "cannot listen on the admin socket", path.string(),
                 bound.message());
  }
  asio::co_spawn(io_, adminAcceptLoop(), asio::detached);
  return {};
}

asio::awaitable<void> Server::adminAcceptLoop() {
  while (!stopping_) {
    auto [ec, socket] = co_await admin_acceptor_.async_accept(kTupleAwaitable);
    if (stopping_) co_return;
    if (ec) continue;
    // Only our own user (or root) may drive the controller, whatever the
    // socket's mode says.
    ucred peer{};
    socklen_t length = sizeof peer;
    if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &peer, &length) != 0 ||
        (peer.uid != ::geteuid() && peer.uid != 0)) {
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    asio::co_spawn(io_, serveAdmin(std::make_shared<protocol::LocalConnection>(std::move(socket))),
                   asio::detached);
  }
}

asio::awaitable<void> Server::serveAdmin(std::shared_ptr<protocol::LocalConnection> admin) {
  for (;;) {
    auto frame = co_await admin->read(std::chrono::hours(24));
    if (!frame) break;
    if (frame->type != MessageType::AdminRequest) {
      admin->fail(Error(ErrorCode::ProtocolError, "only admin_request is accepted here"));
      break;
    }
    auto body = parseBody(*frame, admin->peerAddress());
    if (!body) {
      admin->fail(body.error());
      break;
    }
    handleAdminRequest(admin, *body);
  }
  admin->close();
}

void Server::handleAdminRequest(const std::shared_ptr<protocol::LocalConnection>& admin,
                                const nlohmann::json& request) {
  const std::string op = stringField(request, "op");
  if (op == "hosts") {
    nlohmann::json hosts = nlohmann::json::array();
    for (const auto& [host, session] : agents_) {
      const auto& info = session->info;
      hosts.push_back({{"host", info.host},
                       {"peer", info.peer},
                       {"certificate_serial", info.serial},
                       {"certificate_expires_at", time::formatRfc3339(info.certificate_not_after)},
                       {"connected_at", time::formatRfc3339(info.connected_at)},
                       {"last_seen", time::formatRfc3339(info.last_seen)}});
    }
    admin->send(MessageType::AdminEvent, {{"event", "hosts"}, {"hosts", std::move(hosts)}});
    return;
  }
  if (op != "facts" && op != "push") {
    admin->fail(
        Error(ErrorCode::ProtocolError, fmt::format("unknown op '{}'", text::escapeControl(op))));
    return;
  }
  const std::string host = stringField(request, "host");
  const auto session = agents_.find(host);
  if (session == agents_.end()) {
    admin->send(MessageType::AdminEvent, {{"event", "unreachable"}, {"host", host}});
    return;
  }
  const std::int64_t id = next_request_id_++;
  if (op == "facts") {
    pending_[id] = Pending{admin, host, MessageType::Facts};
    const auto max_age = request.find("max_age_seconds");
    session->second->connection->send(
        MessageType::FactsRequest,
        {{"request_id", id},
         {"max_age_seconds", max_age != request.end() && max_age->is_number_unsigned()
                                 ? max_age->get<std::int64_t>()
                                 : 0}});
    return;
  }
  if (auto reloaded = reloadRoots(); !reloaded) {
    spdlog::error("root documents: {}; pushing with the last good chain",
                  reloaded.error().describe());
  }
  pending_[id] = Pending{admin, host, MessageType::Result};
  session->second->connection->send(MessageType::Push,
                                    {{"push_id", id},
                                     {"envelope", stringField(request, "envelope")},
                                     {"roots", roots_},
                                     {"check", request.value("check", false)},
                                     {"diff", request.value("diff", false)}});
}

bool Server::forwardAnswer(const std::string& host, MessageType type, const nlohmann::json& body) {
  const char* id_field = type == MessageType::Facts ? "request_id" : "push_id";
  const auto id_it = body.find(id_field);
  if (id_it == body.end() || !id_it->is_number_integer()) return false;
  const auto pending = pending_.find(id_it->get<std::int64_t>());
  // Only the host that was asked may answer, and only what it was asked.
  const MessageType expected = type == MessageType::Progress ? MessageType::Result : type;
  if (pending == pending_.end() || pending->second.host != host ||
      pending->second.answer != expected) {
    return false;
  }
  auto admin = pending->second.admin.lock();
  nlohmann::json event;
  if (type == MessageType::Facts) {
    event = {{"event", "facts"}, {"host", host}};
    if (body.contains("facts")) event["facts"] = body["facts"];
    if (body.contains("error")) event["error"] = body["error"];
    pending_.erase(pending);
  } else if (type == MessageType::Progress) {
    event = {{"event", "progress"}, {"host", host}, {"progress", body}};
  } else {
    event = {{"event", "result"}, {"host", host}, {"result", body}};
    pending_.erase(pending);
  }
  if (admin && !admin->closed()) admin->send(MessageType::AdminEvent, event);
  if (type == MessageType::Result) {
    if (auto row = reports::pushedRunReport(host, body, time::unixNow())) {
      queueReport({std::move(*row), std::nullopt}, {});
    }
  }
  return true;
}

bool Server::storeReport(const std::shared_ptr<protocol::Connection>& connection,
                         const std::string& host, const nlohmann::json& body) {
  const std::int64_t now = time::unixNow();
  auto row = reports::decodeAgentReport(host, body, now);
  if (!row) {
    const Error refusal(ErrorCode::ProtocolError,
                        fmt::format("a malformed report: {}", row.error().describe()), host);
    spdlog::info("session of '{}' closed: {}", host, refusal.describe());
    connection->fail(refusal);
    return false;
  }
  std::optional<reports::OutgoingMail> mail;
  if (settings_.queue_mail) {
    auto digest = last_digests_.find(host);
    if (digest == last_digests_.end()) {
      auto previous = store_->lastScheduled(host);
      if (!previous) {
        // Not acknowledged: the agent keeps it and sends it again.
        spdlog::error("report {} of '{}' not stored: {}", row->report_id, host,
                      previous.error().describe());
        return true;
      }
      std::optional<reports::ReportDigest> known;
      if (*previous) known = reports::digestOf(**previous);
      digest = last_digests_.emplace(host, known).first;
    }
    mail = reports::alertFor(*row, digest->second, now);
    digest->second = reports::digestOf(*row);
  }
  queueReport({std::move(*row), std::move(mail)}, connection);
  return true;
}

void Server::queueReport(reports::ReportStore::Incoming incoming,
                         std::weak_ptr<protocol::Connection> acknowledge_to) {
  // Committed together with whatever else arrives before the loop comes
  // round to the flush: one sync to disk for a whole burst of results.
  if (report_queue_.empty()) asio::post(io_, [this] { flushReports(); });
  report_queue_.push_back({std::move(incoming), std::move(acknowledge_to)});
}

void Server::flushReports() {
  if (report_queue_.empty() || !store_) return;
  std::vector<QueuedReport> batch;
  batch.swap(report_queue_);
  std::vector<reports::ReportStore::Incoming> incoming;
  incoming.reserve(batch.size());
  for (const auto& queued : batch) incoming.push_back(queued.incoming);
  auto added = store_->addAll(incoming);
  if (!added) {
    // Nothing acknowledged: agents keep their reports and send them again,
    // and what they say then is judged afresh.
    spdlog::error("{} report(s) not stored: {}", batch.size(), added.error().describe());
    for (const auto& queued : batch) last_digests_.erase(queued.incoming.report.host);
    return;
  }
  bool mail_queued = false;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const auto& report = batch[i].incoming.report;
    if ((*added)[i] == reports::Insertion::Stored && batch[i].incoming.mail) mail_queued = true;
    if (report.report_id.empty()) continue;
    if (auto connection = batch[i].acknowledge_to.lock(); connection && !connection->closed()) {
      connection->send(MessageType::Ack, {{"report_id", report.report_id}});
    }
  }
  spdlog::debug("{} report(s) stored", batch.size());
  if (mail_queued && settings_.mail_queued) settings_.mail_queued();
}

void Server::failPending(const std::string& host) {
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second.host != host) {
      ++it;
      continue;
    }
    if (auto admin = it->second.admin.lock(); admin && !admin->closed()) {
      const bool facts = it->second.answer == MessageType::Facts;
      admin->send(MessageType::AdminEvent,
                  {{"event", facts ? "facts" : "result"},
                   {"host", host},
                   {facts ? "error" : "result",
                    facts ? nlohmann::json("the session ended before the facts came")
                          : nlohmann::json({{"event", "lost"},
                                            {"message", "the session ended during the run"}})}});
    }
    it = pending_.erase(it);
  }
}

Result<void> Server::reloadRoots() {
  if (settings_.trust_dir.empty()) return {};
  std::error_code ec;
  const auto mtime = std::filesystem::last_write_time(settings_.trust_dir, ec);
  if (ec || mtime == roots_mtime_) return {};
  SC_TRY_ASSIGN(const auto chain, trust::loadChain(settings_.trust_dir));
  roots_ = nlohmann::json::array();
  for (const auto& root : chain) roots_.push_back(root.envelope_text);
  roots_mtime_ = mtime;
  if (!chain.empty()) {
    spdlog::info("root documents: version {} is the newest of {}", chain.back().document.version,
                 settings_.trust_dir.string());
  }
  return {};
}

Result<void> Server::reloadRevocations() {
  std::error_code ec;
  const auto mtime = std::filesystem::last_write_time(authority_.dir() / "revoked.json", ec);
  if (!ec && mtime == revoked_mtime_ && !revoked_.empty()) return {};
  SC_TRY_ASSIGN(auto serials, authority_.revokedSerials());
  revoked_ = std::move(serials);
  if (!ec) revoked_mtime_ = mtime;
  return {};
}

void Server::closeRevokedSessions() {
  for (auto it = agents_.begin(); it != agents_.end();) {
    if (revoked_.count(it->second->info.serial) > 0) {
      spdlog::info("agent '{}' revoked: closing its session", text::escapeControl(it->first));
      it->second->connection->fail(
          Error(ErrorCode::Revoked, "this host's certificate was revoked", it->first));
      it = agents_.erase(it);
    } else {
      ++it;
    }
  }
}

asio::awaitable<void> Server::watchRevocations() {
  asio::steady_timer tick(io_);
  while (!stopping_) {
    tick.expires_after(settings_.revocation_poll);
    co_await tick.async_wait(kTupleAwaitable);
    if (stopping_) co_return;
    if (auto reloaded = reloadRevocations(); !reloaded) {
      // Keep the last good list: a damaged file must not un-revoke anyone.
      spdlog::error("{}", reloaded.error().describe());
      continue;
    }
    closeRevokedSessions();
  }
}

}  // namespace sc::controller::serve
