// The network misbehaving between agents and the controller (SECURITY.md
// T-08, F-16, T-07): agents dial the controller through a FaultProxy that
// trickles, delays, resets, cuts or swallows their session, and hostile
// clients hold sockets open or send a report ten times the cap. No
// resource is ever applied from a transfer that did not arrive whole, each
// side gives up within its deadline, and every run succeeds again once the
// fault clears.
#include <poll.h>

#include <atomic>
#include <csignal>
#include <string>

#include "tests/integration/session_fixture.h"
#include "tests/support/fault_proxy.h"

namespace sc::testing {
namespace {

using Fault = FaultProxy::Fault;

// Seconds with a fraction, for messages.
double seconds(FaultProxy::Clock::duration d) { return std::chrono::duration<double>(d).count(); }

class NetworkFaultTest : public PushTest {
 protected:
  void SetUp() override {
    // The agents' deadlines under test: 3 s to connect and shake hands, and
    // three missed heartbeats (1 s each). The controller waits longer for
    // a frame, so that what ends a stalled session is the agent's deadline.
    agent_extra_ = {"--connect-timeout", "3"};
    idle_timeout_ = "30";
    PushTest::SetUp();
    // A push of about 256 KiB, so a cut a few KiB in lands inside it.
    writeFile(dir_.path() / "big.yml",
              "- hosts: web1:web2\n  tasks:\n"
              "    - copy:\n        content: \"" +
                  std::string(256 * 1024, 'x') + "\\n\"\n        dest: /etc/big\n");
  }

  void beforeEnrolment() override {
    proxy_ = std::make_unique<FaultProxy>(port_);
    agent_port_ = proxy_->port();
  }

  RunResult applyBig() {
    return runProgram({SC_SCCTL_BIN, "apply", (dir_.path() / "big.yml").string(), "-i",
                       (dir_.path() / "hosts.ini").string(), "--admin-socket",
                       adminSocket().string(), "--sign", keyPath().string()},
                      {}, 120s);
  }

  bool bigFileWritten(const std::string& host) {
    return stdfs::exists(rootOf(host) / "etc" / "big");
  }

  // The sessions that were open at `at` (opened before it, not yet closed
  // then), once their agents have closed them all (at most `within`).
  std::vector<FaultProxy::Connection> sessionsOpenAt(FaultProxy::Clock::time_point at,
                                                     std::chrono::seconds within) {
    const auto deadline = FaultProxy::Clock::now() + within;
    for (;;) {
      std::vector<FaultProxy::Connection> closed;
      bool all = true;
      for (const auto& connection : proxy_->connections()) {
        if (connection.opened >= at ||
            (connection.client_closed && *connection.client_closed < at) || connection.faulted) {
          continue;
        }
        if (connection.client_closed) {
          closed.push_back(connection);
        } else {
          all = false;
        }
      }
      if (all || FaultProxy::Clock::now() > deadline) return closed;
      std::this_thread::sleep_for(20ms);
    }
  }

  // The first `count` connections opened after `since` that their agents
  // closed (retries keep opening more).
  std::vector<FaultProxy::Connection> firstRetries(FaultProxy::Clock::time_point since,
                                                   std::size_t count) {
    const auto deadline = FaultProxy::Clock::now() + 20s;
    for (;;) {
      std::vector<FaultProxy::Connection> closed;
      for (const auto& connection : proxy_->connections()) {
        if (connection.opened >= since && connection.client_closed) closed.push_back(connection);
      }
      if (closed.size() >= count || FaultProxy::Clock::now() > deadline) return closed;
      std::this_thread::sleep_for(20ms);
    }
  }

  // Waits until `count` agents hold sessions opened after `since` (the
  // controller may still list the stalled ones it has not timed out).
  void waitForFreshSessions(FaultProxy::Clock::time_point since, std::size_t count) {
    const auto deadline = FaultProxy::Clock::now() + 20s;
    while (FaultProxy::Clock::now() < deadline) {
      std::size_t settled = 0;
      for (const auto& connection : proxy_->connections()) {
        if (connection.opened >= since && !connection.client_closed && !connection.faulted &&
            FaultProxy::Clock::now() - connection.opened > 500ms) {
          ++settled;
        }
      }
      if (settled >= count) {
        waitForAgents(2);
        return;
      }
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << "no fresh session from " << count << " agent(s) within 20 s";
  }

  void clearFault() {
    const auto cleared = FaultProxy::Clock::now();
    proxy_->set({});
    waitForFreshSessions(cleared, 2);
  }

  // Under a fault set at `since` that stalls sessions: each agent gives up
  // its session within three missed heartbeats of 1 s (counted from its
  // last frame, which came before the fault) and each reconnection at the
  // 3 s connect deadline, both + 10 % at most; once the fault clears, a
  // run converges.
  void expectGivenUpAtTheDeadlinesThenHealed(FaultProxy::Clock::time_point since) {
    const auto dropped = sessionsOpenAt(since, 15s);
    ASSERT_EQ(dropped.size(), 2u) << "the agents sat on their stalled sessions";
    for (const auto& connection : dropped) {
      EXPECT_LE(seconds(*connection.client_closed - since), 3.3);
    }
    const auto retried = firstRetries(since, 2);
    ASSERT_GE(retried.size(), 2u);
    for (const auto& connection : retried) {
      const double lasted = seconds(*connection.client_closed - connection.opened);
      EXPECT_GE(lasted, 2.9);
      EXPECT_LE(lasted, 3.3);
    }
    clearFault();
    const RunResult healed = applyBig();
    EXPECT_EQ(healed.exit_code, 0) << healed.describe();
    EXPECT_TRUE(bigFileWritten("web1"));
  }

  std::unique_ptr<FaultProxy> proxy_;
};

// F-16: the controller's bytes stop part way through the push, by a reset
// or by a clean close. Neither host applies any part of it, the waiting
// run reports both as lost, and the run after the fault clears converges.
TEST_F(NetworkFaultTest, APushCutShortAppliesNothingAndTheNextRunConverges) {
  for (const Fault fault : {Fault::ResetAfter, Fault::CutAfter}) {
    SCOPED_TRACE(fault == Fault::ResetAfter ? "reset" : "cut");
    proxy_->set({fault, 4096, 0ms});
    const RunResult cut = applyBig();
    EXPECT_EQ(cut.exit_code, 1) << cut.describe();
    const auto recap = cut.out.substr(std::min(cut.out.find("RECAP"), cut.out.size()));
    EXPECT_EQ(countOccurrences(recap, "state unknown"), 2u) << cut.describe();
    EXPECT_FALSE(bigFileWritten("web1"));
    EXPECT_FALSE(bigFileWritten("web2"));
    clearFault();
  }
  bool faulted = false;
  for (const auto& connection : proxy_->connections()) faulted = faulted || connection.faulted;
  EXPECT_TRUE(faulted);

  const RunResult healed = applyBig();
  EXPECT_EQ(healed.exit_code, 0) << healed.describe();
  EXPECT_EQ(readFile(rootOf("web1") / "etc" / "big")->size(), 256u * 1024 + 1);
  EXPECT_EQ(readFile(rootOf("web2") / "etc" / "big")->size(), 256u * 1024 + 1);
}

// Heartbeats every 2 s: two seconds of latency each way stay inside the
// agents' three-heartbeat deadline, as they do with the default 30 s.
class LatencyTest : public NetworkFaultTest {
 protected:
  void SetUp() override {
    heartbeat_ = "2";
    NetworkFaultTest::SetUp();
  }
};

// F-16: two seconds of latency each way slows a run but does not break it.
TEST_F(LatencyTest, LatencySlowsARunButItConverges) {
  proxy_->set({Fault::Delay, 0, 2000ms});
  const auto started = FaultProxy::Clock::now();
  const RunResult slow = applyBig();
  const auto took = FaultProxy::Clock::now() - started;
  EXPECT_EQ(slow.exit_code, 0) << slow.describe();
  EXPECT_GE(took, 2s) << "the delay was not applied";
  EXPECT_TRUE(bigFileWritten("web1"));
  EXPECT_TRUE(bigFileWritten("web2"));
}

// F-16 and T-08: a network that swallows everything, even the ends of
// connections. The agents notice the missing heartbeat answers within
// their deadline, their reconnections time out at the connect deadline,
// and all is well once packets flow again.
TEST_F(NetworkFaultTest, ABlackholeIsDetectedAndHealed) {
  proxy_->set({Fault::Blackhole, 0, 0ms});
  const auto since = FaultProxy::Clock::now();
  expectGivenUpAtTheDeadlinesThenHealed(since);
}

// T-08: the controller's bytes trickle in at one every two seconds. An
// established session is given up after three missed heartbeats, a new
// handshake at the connect deadline (+10 % at most), never later; the
// agents connect again when the trickle stops.
TEST_F(NetworkFaultTest, ATrickleIsCutOffAtTheAgentsDeadlines) {
  const auto since = FaultProxy::Clock::now();
  proxy_->set({Fault::Trickle, 0, 2000ms});
  expectGivenUpAtTheDeadlinesThenHealed(since);
}

// A plain TCP connection that never sends a byte.
struct IdleSocket {
  explicit IdleSocket(std::uint16_t port) {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    opened = FaultProxy::Clock::now();
  }
  ~IdleSocket() { ::close(fd); }
  IdleSocket(const IdleSocket&) = delete;
  IdleSocket& operator=(const IdleSocket&) = delete;

  int fd = -1;
  bool connected = false;
  FaultProxy::Clock::time_point opened;
  std::atomic<bool> closed{false};
  FaultProxy::Clock::time_point closed_at;
};

// Records, as it happens, when the peer closes each socket; gives up
// after `within`.
void watchForCloses(std::vector<std::unique_ptr<IdleSocket>>& sockets,
                    std::chrono::seconds within) {
  const auto deadline = FaultProxy::Clock::now() + within;
  for (;;) {
    std::vector<pollfd> fds;
    std::vector<IdleSocket*> waiting;
    for (auto& socket : sockets) {
      if (socket->closed) continue;
      fds.push_back({socket->fd, POLLIN | POLLRDHUP, 0});
      waiting.push_back(socket.get());
    }
    if (fds.empty() || FaultProxy::Clock::now() > deadline) return;
    ::poll(fds.data(), fds.size(), 20);
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      char byte;
      const ssize_t got = ::recv(fds[i].fd, &byte, 1, MSG_DONTWAIT);
      if (got == 0 || (got < 0 && errno != EAGAIN)) {
        waiting[i]->closed_at = FaultProxy::Clock::now();
        waiting[i]->closed = true;
      }
    }
  }
}

// The controller's default handshake deadline, 10 s.
class IdleSocketsTest : public NetworkFaultTest {
 protected:
  void SetUp() override {
    handshake_timeout_ = "10";
    NetworkFaultTest::SetUp();
  }
};

// T-08: 500 sockets connect to the controller and say nothing. An agent
// that connects while they wait gets its session and completes a run (at
// the cap of 256 handshakes the one waiting longest makes room), and the
// controller closes every idle socket by its handshake deadline (+10 %).
TEST_F(IdleSocketsTest, FiveHundredIdleSocketsKeepNoAgentOut) {
  std::vector<std::unique_ptr<IdleSocket>> idle;
  for (int i = 0; i < 500; ++i) {
    idle.push_back(std::make_unique<IdleSocket>(port_));
    ASSERT_TRUE(idle.back()->connected) << "socket " << i;
  }
  std::thread watcher([&] { watchForCloses(idle, 30s); });

  // A fresh session for web1 while they wait: its old one ends, its new
  // one has to get past them.
  agents_[0]->kill(SIGTERM);
  agents_[0]->wait(10s);
  const auto restarted = FaultProxy::Clock::now();
  agents_[0] = startPushAgent("web1");
  waitForFreshSessions(restarted, 1);
  const RunResult ran = apply({"-l", "web1,web2"});
  EXPECT_EQ(ran.exit_code, 0) << ran.describe();
  EXPECT_EQ(*readFile(rootOf("web1") / "etc" / "motd"), "web1 Linux\n");
  std::size_t still_waiting = 0;
  for (const auto& socket : idle) {
    if (!socket->closed) ++still_waiting;
  }
  // What the cap holds (less the slot web1 took) was still there.
  EXPECT_GE(still_waiting, 200u) << "the run did not happen while the sockets waited";

  watcher.join();
  double longest = 0;
  std::size_t open = 0;
  for (const auto& socket : idle) {
    if (!socket->closed) {
      ++open;
      continue;
    }
    longest = std::max(longest, seconds(socket->closed_at - socket->opened));
  }
  EXPECT_EQ(open, 0u) << "idle sockets outlived the handshake deadline";
  EXPECT_LE(longest, 11.0);
}

// The VmHWM line of /proc/PID/status, in KiB.
std::size_t peakRssKib(pid_t pid) {
  const auto status = readFile(fmt::format("/proc/{}/status", pid));
  if (!status) return 0;
  const auto at = status->find("VmHWM:");
  return at == std::string::npos ? 0 : std::stoul(status->substr(at + 6));
}

// T-07 on the controller: a result ten times its 32 MiB cap. The header
// alone ends the session with a size error; nothing like the body is ever
// held (peak RSS grows by less than twice the cap), and the agents'
// sessions carry on.
TEST_F(NetworkFaultTest, AReportTenTimesTheCapIsRefusedByItsHeader) {
  // Writing on after the controller closed must fail, not kill the test.
  const auto previous = std::signal(SIGPIPE, SIG_IGN);
  const std::size_t before = peakRssKib(controller_->pid());
  ASSERT_GT(before, 0u);
  RawClient reporter(port_, agentIdentity("web2"));
  ASSERT_TRUE(reporter.handshakeOk());
  reporter.send(protocol::MessageType::Hello, hello("web2"));
  ASSERT_TRUE(reporter.next().has_value());
  constexpr std::uint32_t kTenTimesTheCap = 10u * 32 * 1024 * 1024;
  std::string header(8, '\0');
  for (int i = 0; i < 4; ++i) {
    header[static_cast<std::size_t>(i)] = static_cast<char>(kTenTimesTheCap >> (24 - 8 * i));
  }
  header[5] = static_cast<char>(protocol::MessageType::Result);
  reporter.sendRaw(header);
  // The body as a sender would stream it, in 1 MiB pieces, for as long as
  // the controller still reads.
  const std::string piece(1024 * 1024, '{');
  for (int i = 0; i < 8; ++i) reporter.sendRaw(piece);
  std::string reason;
  std::string message;
  while (auto frame = reporter.next()) {
    if (frame->type == protocol::MessageType::Error) {
      const auto body = nlohmann::json::parse(frame->body);
      reason = body.value("reason", "");
      message = body.value("message", "");
      break;
    }
  }
  EXPECT_EQ(reason, "protocol_error");
  EXPECT_NE(message.find("over its limit"), std::string::npos) << message;
  const std::size_t after = peakRssKib(controller_->pid());
  EXPECT_LT(after - before, 2u * 32 * 1024) << before << " KiB -> " << after << " KiB";
  waitForAgents(2);
  std::signal(SIGPIPE, previous);
}

}  // namespace
}  // namespace sc::testing
