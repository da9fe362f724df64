// `scctl serve`: accepts agent sessions on one Boost.Asio event loop (no
// thread per agent), enrols agents, and keeps one session per host
// (docs/protocol.md, docs/enrolment.md).
//
// Each connection goes through: TLS handshake under a deadline ->
// identity from the client certificate (none: Enrolling; revoked: closed)
// -> hello within the deadline -> frames, each checked against routes.h,
// with heartbeats expected. A bad peer costs only its own session.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "common/error.h"
#include "common/protocol/connection.h"
#include "controller/ca/certificate_authority.h"
#include "controller/reports/agent_report.h"
#include "controller/reports/report_store.h"

namespace sc::controller::serve {

struct ServeSettings {
  std::string listen_address = "0.0.0.0";
  std::uint16_t port = 8143;  // 0: any free port (tests)
  std::filesystem::path ca_dir;
  // Root documents (root.N.json, controller/trust) sent with every push so
  // agents walk to the newest; reread when the directory changes. Missing:
  // none sent (agents then trust only the keys they were given).
  std::filesystem::path trust_dir;
  bool allow_tls12 = false;
  std::chrono::seconds handshake_timeout{10};  // TLS handshake, then hello
  std::chrono::seconds heartbeat{30};          // told to agents in welcome
  std::chrono::seconds idle_timeout{90};       // no complete frame: closed
  std::chrono::seconds revocation_poll{2};     // how often revoked.json is checked
  std::size_t max_handshakes = 256;            // connections not yet past hello
  std::int64_t certificate_validity = ca::kDefaultAgentValidity;
  // The admin socket `scctl apply` and `scctl hosts` talk to (mode 0600,
  // owner only); empty: none.
  std::filesystem::path admin_socket;
  // The report store (controller/reports); opened by start().
  std::filesystem::path database = "/var/lib/smartcookies/controller.db";
  // Whether reports worth telling ops about queue a mail in the outbox
  // (false: no mail is configured, and nothing would ever send it).
  bool queue_mail = false;
  // Called after a mail was queued (the mailer's thread wakes up).
  std::function<void()> mail_queued;
};

// One connected agent, as `scctl hosts` and pushes see it.
struct AgentSessionInfo {
  std::string host;
  std::string peer;
  std::string serial;  // of the certificate it presented
  std::int64_t certificate_not_after = 0;
  std::int64_t connected_at = 0;
  std::int64_t last_seen = 0;
};

class Server {
 public:
  Server(boost::asio::io_context& io, ServeSettings settings, ca::CertificateAuthority authority);
  ~Server();

  // Binds and starts accepting; returns the port bound.
  Result<std::uint16_t> start();
  // Stops accepting and closes every session.
  void stop();

  std::vector<AgentSessionInfo> agents() const;

 private:
  struct Session;

  // What an admin client asked an agent for, until the agent answers.
  struct Pending {
    std::weak_ptr<protocol::LocalConnection> admin;
    std::string host;
    protocol::MessageType answer;  // Facts or Result
  };

  Result<void> listenAdmin();
  boost::asio::awaitable<void> acceptLoop();
  boost::asio::awaitable<void> adminAcceptLoop();
  boost::asio::awaitable<void> serveAdmin(std::shared_ptr<protocol::LocalConnection> admin);
  void handleAdminRequest(const std::shared_ptr<protocol::LocalConnection>& admin,
                          const nlohmann::json& request);
  // An agent's facts, progress or result for what an admin client asked;
  // false when it answers nothing this host was asked (T-13).
  bool forwardAnswer(const std::string& host, protocol::MessageType type,
                     const nlohmann::json& body);
  // A scheduled run's report: stored once (with the mail it calls for) and
  // acknowledged only then, so the agent's spool keeps it until it is safe.
  // False when it is malformed (the session is closed).
  bool storeReport(const std::shared_ptr<protocol::Connection>& connection, const std::string& host,
                   const nlohmann::json& body);
  // Reports wait here for the next flush, one transaction for all of them;
  // an agent's report is acknowledged to `acknowledge_to` once committed.
  void queueReport(reports::ReportStore::Incoming incoming,
                   std::weak_ptr<protocol::Connection> acknowledge_to);
  void flushReports();
  // The session of `host` ended: whoever waits on it is told.
  void failPending(const std::string& host);
  struct PendingHandshake;
  boost::asio::awaitable<void> serve(std::shared_ptr<PendingHandshake> pending);
  boost::asio::awaitable<void> watchRevocations();
  Result<void> reloadRevocations();
  // The root documents of settings_.trust_dir, reread when it changed; a
  // chain that stops verifying keeps the last good one (and says so).
  Result<void> reloadRoots();
  void closeRevokedSessions();

  boost::asio::io_context& io_;
  ServeSettings settings_;
  ca::CertificateAuthority authority_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::local::stream_protocol::acceptor admin_acceptor_;
  std::map<std::int64_t, Pending> pending_;
  std::int64_t next_request_id_ = 1;
  // Connections not yet past hello, oldest first. At max_handshakes the
  // oldest idle one is closed to make room (T-08), so idle sockets cannot
  // keep a real agent out; when none is idle, the newcomer is.
  struct PendingHandshake {
    std::shared_ptr<protocol::Connection> connection;
    std::chrono::steady_clock::time_point accepted_at;
    std::list<std::shared_ptr<PendingHandshake>>::iterator slot;
    bool listed = true;  // false once past hello, or evicted
  };
  std::list<std::shared_ptr<PendingHandshake>> pending_handshakes_;
  // Sent no ClientHello within a second, or waited half the handshake
  // deadline.
  bool isIdle(const PendingHandshake& pending) const;
  std::set<std::string> revoked_;
  std::filesystem::file_time_type revoked_mtime_{};
  nlohmann::json roots_ = nlohmann::json::array();  // envelope texts, by version
  std::filesystem::file_time_type roots_mtime_{};
  std::map<std::string, std::shared_ptr<Session>> agents_;
  std::optional<reports::ReportStore> store_;
  struct QueuedReport {
    reports::ReportStore::Incoming incoming;
    std::weak_ptr<protocol::Connection> acknowledge_to;
  };
  std::vector<QueuedReport> report_queue_;
  // What each host's last scheduled report found (what decides on mail),
  // read from the store on the host's first report.
  std::map<std::string, std::optional<reports::ReportDigest>> last_digests_;
  bool stopping_ = false;
};

}  // namespace sc::controller::serve
