// `sc-agent run`: keeps one session with the controller open for good
// (ARCHITECTURE.md decision 4). It dials out, says hello, sends heartbeats,
// renews its certificate when a third of its life is left, and when the
// session ends for any reason dials again after a backoff with full jitter
// (uniform in [0, min(cap, base * 2^attempt)]) so a restarted controller is
// not hit by every agent at once (SECURITY.md F-17). It never gives up.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "agent/session/credentials.h"
#include "agent/session/report_spool.h"
#include "common/error.h"
#include "common/protocol/connection.h"

namespace sc::agent::session {

struct RunSettings {
  Credentials credentials;
  std::string state_dir;  // the children's --state-dir
  // Passed to every `sc-agent apply` child: --trust, --root, --allow-path.
  std::vector<std::string> apply_arguments;
  // No --trust keys: manifests are checked against the root document in
  // the state directory, which pushes walk forward (docs/trust.md).
  bool follow_root_documents = true;
  // Passed to every `sc-agent facts` child: --root.
  std::vector<std::string> facts_arguments;
  std::chrono::seconds connect_timeout{30};
  std::chrono::milliseconds backoff_base{1000};
  std::chrono::milliseconds backoff_cap{300'000};
  // A random delay before the first dial, and before the first redial
  // after a healthy session (Reconnection).
  std::chrono::milliseconds splay{0};
  // Scheduled runs of the last applied manifest (0: none): a check run
  // reports drift, an enforcing one corrects it; either way the report goes
  // through the spool (report_spool.h) to the controller.
  std::chrono::milliseconds run_interval{0};
  bool run_enforce = false;
  std::size_t spool_capacity = 1000;
};

// The delay before reconnection attempt `attempt` (0-based): full jitter.
std::chrono::milliseconds backoffDelay(int attempt, std::chrono::milliseconds base,
                                       std::chrono::milliseconds cap);

// When to dial again after a session ended (docs/protocol.md, SECURITY.md
// F-17): backoffDelay() over the attempts so far. A session that lasted
// `healthy` starts the count over, and its end is most likely the
// controller's restart, which every agent sees at once: the first delay
// is then drawn from the whole splay, as at start, so the fleet comes
// back spread over it rather than as one wave.
class Reconnection {
 public:
  Reconnection(std::chrono::milliseconds base, std::chrono::milliseconds cap,
               std::chrono::milliseconds splay,
               std::chrono::steady_clock::duration healthy = std::chrono::minutes(1))
      : base_(base), cap_(cap), splay_(splay), healthy_(healthy) {}
  std::chrono::milliseconds after(std::chrono::steady_clock::duration session_lasted);

 private:
  std::chrono::milliseconds base_;
  std::chrono::milliseconds cap_;
  std::chrono::milliseconds splay_;
  std::chrono::steady_clock::duration healthy_;
  int attempt_ = 0;
};

class AgentSession {
 public:
  AgentSession(boost::asio::io_context& io, RunSettings settings, Enrolment enrolment);

  // Runs until stop().
  boost::asio::awaitable<void> run();
  void stop();

 private:
  // One session, from dial to its end; the error says why it ended.
  boost::asio::awaitable<Error> once();
  boost::asio::awaitable<void> heartbeats(std::shared_ptr<protocol::Connection> connection,
                                          std::chrono::seconds interval);
  Result<void> loadTls();
  // A pushed envelope: applied by an `sc-agent apply --events` child whose
  // lines go back as progress, and whose end goes back as the result.
  boost::asio::awaitable<void> applyPush(std::shared_ptr<protocol::Connection> connection,
                                         nlohmann::json push);
  // Walks this host's root document through the ones a push carries.
  Result<void> walkPushedRoots(const nlohmann::json& push) const;
  // Runs an `sc-agent facts --json` child and keeps what it printed;
  // false when it failed.
  boost::asio::awaitable<bool> refreshFacts();
  // Answers a facts request, from the kept facts when they are no older
  // than the request's max_age_seconds.
  boost::asio::awaitable<void> sendFacts(std::shared_ptr<protocol::Connection> connection,
                                         nlohmann::json request);
  // Every run_interval, unless a push is running: one scheduled run.
  boost::asio::awaitable<void> scheduledRuns();
  boost::asio::awaitable<void> scheduledRun();
  // Sends a spooled report on the current session, if there is one.
  void sendReport(const nlohmann::json& report);
  // When this host's certificate is to be renewed (Unix seconds).
  Result<std::int64_t> renewalDueAt() const;
  boost::asio::awaitable<Result<void>> renewIfDue(protocol::Connection& connection);

  boost::asio::io_context& io_;
  RunSettings settings_;
  Enrolment enrolment_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  std::shared_ptr<protocol::Connection> current_;
  boost::asio::steady_timer wait_;
  boost::asio::steady_timer schedule_;
  ReportSpool spool_;
  // True from the welcome on: reports may be sent.
  bool session_ready_ = false;
  bool stopping_ = false;
  // One run at a time (the state directory's lock agrees): a push or a
  // scheduled run; a push arriving during a scheduled run waits for it.
  bool applying_ = false;
  bool scheduled_running_ = false;
  std::string facts_text_;                        // the last facts gathered, compact JSON
  protocol::Clock::time_point facts_gathered_{};  // when
};

}  // namespace sc::agent::session
