// fleet_simulator: a fleet of agents in one process, for SECURITY.md F-17
// (the controller restarted under a large fleet). Each simulated agent
// holds its own certificate from the CA, dials `scctl serve` over TLS 1.3,
// says hello, sends heartbeats and, when its session ends, waits as
// `sc-agent run` does (agent/session Reconnection) before it dials again.
// Real agents would need a process each; the controller cannot tell.
//
// It connects every agent, writes --ready-file, and then reports, once
// every agent that lost its session has a new one (or at --deadline),
// when they came back: JSON on --report-file (times on CLOCK_MONOTONIC),
// exit 0 when all did.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "agent/session/agent_session.h"
#include "common/pki/certificate.h"
#include "common/pki/ec_key.h"
#include "common/protocol/connection.h"
#include "common/random.h"
#include "common/time/duration.h"
#include "common/tls/tls_context.h"
#include "controller/ca/issuer.h"

namespace {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using sc::protocol::Clock;
using sc::protocol::MessageType;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

struct Options {
  std::string ca_dir;
  int port = 0;
  std::size_t agents = 2000;
  double backoff = 1;
  double backoff_cap = 300;
  double healthy = 60;
  double splay = 5;
  double deadline = 600;
  std::string ready_file;
  std::string report_file;
};

std::chrono::milliseconds millis(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
}

struct Agent {
  std::string name;
  sc::pki::EcKey key;
  sc::pki::Certificate certificate;
  bool connected = false;
  int dials = 0;  // connections tried after the fleet was ready
  std::optional<Clock::time_point> lost;
  std::optional<Clock::time_point> back;
};

class Fleet {
 public:
  Fleet(asio::io_context& io, const Options& options, asio::ssl::context& tls,
        std::vector<Agent>& agents)
      : io_(io), options_(options), tls_(tls), agents_(agents) {}

  void start() {
    for (std::size_t i = 0; i < agents_.size(); ++i) {
      asio::co_spawn(io_, live(agents_[i]), asio::detached);
    }
    asio::co_spawn(io_, watch(), asio::detached);
  }

  bool allBack() const { return back_ == agents_.size(); }

 private:
  asio::awaitable<void> live(Agent& agent) {
    asio::steady_timer wait(io_);
    wait.expires_after(std::chrono::milliseconds(
        sc::randomBelow(static_cast<std::size_t>(millis(options_.splay).count()) + 1)));
    co_await wait.async_wait(kTuple);
    sc::agent::session::Reconnection reconnection(millis(options_.backoff),
                                                  millis(options_.backoff_cap),
                                                  millis(options_.splay), millis(options_.healthy));
    for (;;) {
      const auto started = Clock::now();
      co_await session(agent);
      wait.expires_after(reconnection.after(Clock::now() - started));
      co_await wait.async_wait(kTuple);
    }
  }

  asio::awaitable<void> session(Agent& agent) {
    if (ready_) ++agent.dials;
    sc::protocol::TlsStream stream(io_, tls_);
    SSL_use_certificate(stream.native_handle(), agent.certificate.get());
    SSL_use_PrivateKey(stream.native_handle(), agent.key.get());
    asio::steady_timer deadline(io_, std::chrono::seconds(10));
    const asio::ip::tcp::endpoint controller(asio::ip::address_v4::loopback(),
                                             static_cast<std::uint16_t>(options_.port));
    auto connected = co_await (stream.lowest_layer().async_connect(controller, kTuple) ||
                               deadline.async_wait(kTuple));
    if (connected.index() != 0 || std::get<0>(std::get<0>(connected))) co_return;
    auto connection = std::make_shared<sc::protocol::Connection>(std::move(stream));
    if (!co_await connection->handshake(false, std::chrono::seconds(10))) co_return;
    connection->send(MessageType::Hello, {{"protocol_versions", {1}}, {"host", agent.name}});
    auto welcome = co_await connection->read(std::chrono::seconds(10));
    if (!welcome || welcome->type != MessageType::Welcome) {
      connection->close();
      co_return;
    }
    const auto body = nlohmann::json::parse(welcome->body, nullptr, false);
    const auto heartbeat = std::chrono::seconds(std::clamp<std::int64_t>(
        body.is_object() ? body.value("heartbeat_seconds", 30) : 30, 1, 3600));
    markConnected(agent);
    asio::co_spawn(io_, beat(connection, heartbeat), asio::detached);
    while (auto frame = co_await connection->read(3 * heartbeat)) {
      if (frame->type == MessageType::Error) break;
    }
    connection->close();
    markLost(agent);
  }

  asio::awaitable<void> beat(std::shared_ptr<sc::protocol::Connection> connection,
                             std::chrono::seconds interval) {
    asio::steady_timer timer(io_);
    while (!connection->closed()) {
      timer.expires_after(interval);
      co_await timer.async_wait(kTuple);
      if (!connection->closed()) connection->send(MessageType::Heartbeat, {{"at", 0}});
    }
  }

  void markConnected(Agent& agent) {
    agent.connected = true;
    ++connected_;
    if (agent.lost && !agent.back) {
      agent.back = Clock::now();
      ++back_;
    }
  }

  void markLost(Agent& agent) {
    agent.connected = false;
    --connected_;
    if (!ready_) return;
    if (!agent.lost) agent.lost = Clock::now();
    // Back and lost again: not back until its next session.
    if (agent.back) {
      agent.back.reset();
      --back_;
    }
  }

  // Announces the connected fleet, then ends the run once all are back.
  asio::awaitable<void> watch() {
    asio::steady_timer timer(io_);
    const auto started = Clock::now();
    while (!ready_) {
      timer.expires_after(std::chrono::milliseconds(50));
      co_await timer.async_wait(kTuple);
      if (connected_ == agents_.size()) {
        ready_ = true;
        std::ofstream(options_.ready_file)
            << std::chrono::duration<double>(Clock::now() - started).count() << "\n";
      }
    }
    const auto deadline = Clock::now() + millis(options_.deadline);
    while (!(back_ == agents_.size()) && Clock::now() < deadline) {
      timer.expires_after(std::chrono::milliseconds(50));
      co_await timer.async_wait(kTuple);
    }
    io_.stop();
  }

  asio::io_context& io_;
  const Options& options_;
  asio::ssl::context& tls_;
  std::vector<Agent>& agents_;
  std::size_t connected_ = 0;
  std::size_t back_ = 0;
  bool ready_ = false;
};

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto at = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(at, values.size() - 1)];
}

// Times are seconds of CLOCK_MONOTONIC (steady_clock), which every
// process on the machine shares, so the caller can set them against when
// it restarted the controller.
double seconds(Clock::time_point at) {
  return std::chrono::duration<double>(at.time_since_epoch()).count();
}

nlohmann::json report(const std::vector<Agent>& agents) {
  std::vector<double> lost_at;
  std::vector<double> back_at;
  int most_dials = 0;
  for (const auto& agent : agents) {
    if (!agent.lost) continue;
    lost_at.push_back(seconds(*agent.lost));
    most_dials = std::max(most_dials, agent.dials);
    if (agent.back) back_at.push_back(seconds(*agent.back));
  }
  return {{"agents", agents.size()},
          {"lost", lost_at.size()},
          {"reconnected", back_at.size()},
          {"first_lost_at", percentile(lost_at, 0)},
          {"first_back_at", percentile(back_at, 0)},
          {"p5_back_at", percentile(back_at, 0.05)},
          {"p50_back_at", percentile(back_at, 0.5)},
          {"p95_back_at", percentile(back_at, 0.95)},
          {"last_back_at", percentile(back_at, 1.0)},
          {"most_dials", most_dials}};
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app("fleet_simulator: many agents in one process (SECURITY.md F-17)");
  app.add_option("--ca-dir", options.ca_dir, "The CA ('scctl ca init')")->required();
  app.add_option("--port", options.port, "scctl serve's port on 127.0.0.1")->required();
  app.add_option("--agents", options.agents, "How many agents")->default_val(2000);
  app.add_option("--backoff", options.backoff, "Reconnection backoff base, seconds")
      ->default_val(1);
  app.add_option("--backoff-cap", options.backoff_cap, "Largest backoff bound, seconds")
      ->default_val(300);
  app.add_option("--healthy", options.healthy, "A session this long resets the backoff, s")
      ->default_val(60);
  app.add_option("--splay", options.splay,
                 "Random delay before each agent's first dial, and after a healthy session, s")
      ->default_val(5);
  app.add_option("--deadline", options.deadline, "Seconds to wait for every agent to be back")
      ->default_val(600);
  app.add_option("--ready-file", options.ready_file, "Written once every agent is connected")
      ->required();
  app.add_option("--report-file", options.report_file, "Where the JSON report goes")->required();
  CLI11_PARSE(app, argc, argv);

  const std::filesystem::path ca_dir = options.ca_dir;
  auto ca_certificate = sc::pki::Certificate::fromPemFile(ca_dir / "ca.crt");
  auto ca_key = sc::pki::EcKey::fromPemFile(ca_dir / "ca.key");
  if (!ca_certificate || !ca_key) {
    std::fprintf(stderr, "fleet_simulator: cannot read the CA in %s\n", options.ca_dir.c_str());
    return 1;
  }
  std::vector<Agent> agents;
  const std::int64_t now = sc::time::unixNow();
  for (std::size_t i = 0; i < options.agents; ++i) {
    auto key = sc::pki::EcKey::generate();
    if (!key) return 1;
    sc::controller::ca::IssueRequest request;
    request.profile = sc::controller::ca::Profile::Agent;
    request.subject_key = key->get();
    request.common_name = fmt::format("sim{:05}", i);
    request.not_before = now - 60;
    request.not_after = now + 86400;
    auto certificate = sc::controller::ca::issue(request, &*ca_certificate, *ca_key);
    if (!certificate) {
      std::fprintf(stderr, "fleet_simulator: %s\n", certificate.error().describe().c_str());
      return 1;
    }
    agents.push_back({request.common_name, std::move(*key), std::move(*certificate), false, 0,
                      std::nullopt, std::nullopt});
  }
  sc::tls::ClientSettings settings;
  settings.ca_certificate = ca_dir / "ca.crt";
  settings.server_name = "127.0.0.1";
  auto context = sc::tls::makeClientContext(settings);
  if (!context) {
    std::fprintf(stderr, "fleet_simulator: %s\n", context.error().describe().c_str());
    return 1;
  }
  asio::ssl::context tls(context->release());
  asio::io_context io(1);
  Fleet fleet(io, options, tls, agents);
  fleet.start();
  io.run();
  const nlohmann::json out = report(agents);
  std::ofstream(options.report_file) << out.dump(2) << "\n";
  return fleet.allBack() ? 0 : 1;
}
