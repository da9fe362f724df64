// Agent sessions end to end with the real binaries on loopback: a CA made
// by `scctl ca init`, `scctl serve`, agents enrolled by `sc-agent enroll`
// and kept connected by `sc-agent run` (SECURITY.md T-11, T-12, T-14, T-15,
// T-16, T-08, B-21). Hostile peers (RawClient, session_fixture.h) are
// refused while a real agent stays connected through all of them.
#include <set>
#include <sstream>

#include "common/pki/ec_key.h"
#include "common/time/duration.h"
#include "controller/ca/certificate_authority.h"
#include "controller/push/admin_client.h"
#include "tests/integration/session_fixture.h"

namespace sc::testing {
namespace {

TEST_F(SessionTest, AgentsEnrolWithATokenAndKeepTheirSessions) {
  enrollWithToken("web1");
  enrollWithToken("web2");
  const auto tls = stateOf("web1") / "tls";
  struct stat st {};
  ASSERT_EQ(::stat((tls / "agent.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_TRUE(stdfs::exists(tls / "agent.crt"));
  EXPECT_TRUE(stdfs::exists(tls / "ca.crt"));
  EXPECT_EQ(*readFile(tls / "ca.crt"), *readFile(caDir() / "ca.crt"));

  auto web1 = runAgent("web1");
  auto web2 = runAgent("web2");
  std::this_thread::sleep_for(3500ms);  // several heartbeats, past the idle timeout
  web1->kill(SIGTERM);
  web2->kill(SIGTERM);
  const RunResult agent1 = web1->wait(10s);
  EXPECT_EQ(agent1.exit_code, 0) << agent1.describe();
  EXPECT_EQ(countOccurrences(agent1.err, "connected to"), 1u) << agent1.err;
  EXPECT_EQ(countOccurrences(agent1.err, "session with"), 0u) << agent1.err;
  const RunResult served = stopController();
  EXPECT_EQ(served.exit_code, 0) << served.describe();
  EXPECT_EQ(countOccurrences(served.err, "agent 'web1' connected"), 1u) << served.err;
  EXPECT_EQ(countOccurrences(served.err, "agent 'web2' connected"), 1u) << served.err;
  EXPECT_NE(served.err.find("TLSv1.3"), std::string::npos) << served.err;
}

TEST_F(SessionTest, TokensAreOneTimeAndHostBound) {
  const std::string for_web1 = token("web1");
  const RunResult stolen = enroll("web2", {"--token", for_web1});
  EXPECT_EQ(stolen.exit_code, 1) << stolen.describe();
  EXPECT_NE(stolen.err.find("another host"), std::string::npos) << stolen.describe();
  EXPECT_FALSE(stdfs::exists(stateOf("web2") / "tls" / "agent.crt"));
  const RunResult spent = enroll("web1", {"--token", for_web1});
  EXPECT_EQ(spent.exit_code, 1) << spent.describe();
  EXPECT_NE(spent.err.find("already used"), std::string::npos) << spent.describe();
  const RunResult listed =
      runProgram({SC_SCCTL_BIN, "ca", "--ca-dir", caDir().string(), "list", "--json"});
  EXPECT_TRUE(nlohmann::json::parse(listed.out)["issued"].empty()) << listed.out;
}

TEST_F(SessionTest, WithoutATokenAnOperatorApproves) {
  const std::string fingerprint = [&] {
    const RunResult shown = runProgram({SC_SCCTL_BIN, "ca", "--ca-dir", caDir().string(), "show"});
    return shown.out.substr(std::string("CA fingerprint ").size(), 64);
  }();
  const RunResult first = enroll("web1", {"--ca-fingerprint", fingerprint});
  ASSERT_EQ(first.exit_code, 0) << first.describe();
  EXPECT_NE(first.out.find("waiting for approval"), std::string::npos);
  EXPECT_FALSE(stdfs::exists(stateOf("web1") / "tls" / "agent.crt"));
  const RunResult signed_ =
      runProgram({SC_SCCTL_BIN, "ca", "--ca-dir", caDir().string(), "sign", "web1"});
  ASSERT_EQ(signed_.exit_code, 0) << signed_.describe();
  const RunResult second = enroll("web1", {"--ca-fingerprint", fingerprint});
  ASSERT_EQ(second.exit_code, 0) << second.describe();
  EXPECT_TRUE(stdfs::exists(stateOf("web1") / "tls" / "agent.crt"));
  // A wrong pin: the agent refuses the controller before sending anything.
  const RunResult wrong_pin = enroll("web2", {"--ca-fingerprint", std::string(64, 'a')});
  EXPECT_EQ(wrong_pin.exit_code, 1) << wrong_pin.describe();
  EXPECT_NE(wrong_pin.err.find("peer_not_controller"), std::string::npos) << wrong_pin.describe();
}

TEST_F(SessionTest, OnlyTls13IsSpoken) {
  RawClient tls13(port_, {});
  EXPECT_TRUE(tls13.handshakeOk());
  EXPECT_EQ(tls13.version(), "TLSv1.3");
  RawClient::Options old;
  old.tls12_only = true;
  RawClient tls12(port_, old);
  EXPECT_FALSE(tls12.handshakeOk());
}

// T-16 as third-party scanners see a live `scctl serve`: TLS 1.3 only,
// with exactly the three AEAD suites; TLS 1.2 and other suites refused.
TEST_F(SessionTest, ScannersSeeOnlyTls13WithTheThreeAeadSuites) {
  for (const char* tool : {"/usr/bin/sslscan", "/usr/bin/openssl", "/usr/bin/gnutls-cli"}) {
    if (!stdfs::exists(tool)) GTEST_SKIP() << tool << " is missing (scripts/setup.sh installs it)";
  }
  const std::string target = fmt::format("127.0.0.1:{}", port_);
  const RunResult scan = runProgram(
      {"/usr/bin/sslscan", "--no-colour", "--no-heartbleed", "--no-fallback", target}, {}, 120s);
  ASSERT_EQ(scan.exit_code, 0) << scan.describe();
  for (const char* old : {"SSLv2     disabled", "SSLv3     disabled", "TLSv1.0   disabled",
                          "TLSv1.1   disabled", "TLSv1.2   disabled", "TLSv1.3   enabled"}) {
    EXPECT_NE(scan.out.find(old), std::string::npos) << old << "\n" << scan.out;
  }
  std::set<std::string> accepted;
  std::istringstream lines(scan.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("Accepted", 0) != 0 && line.rfind("Preferred", 0) != 0) continue;
    std::istringstream words(line);
    std::string verdict, version, bits, unit, suite;
    words >> verdict >> version >> bits >> unit >> suite;
    EXPECT_EQ(version, "TLSv1.3") << line;
    accepted.insert(suite);
  }
  EXPECT_EQ(accepted, (std::set<std::string>{"TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256",
                                             "TLS_CHACHA20_POLY1305_SHA256"}))
      << scan.out;

  const auto s_client = [&](std::vector<std::string> extra) {
    std::vector<std::string> argv = {"/usr/bin/openssl", "s_client",
                                     "-connect",         target,
                                     "-CAfile",          (caDir() / "ca.crt").string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return runProgram(argv, {}, 30s);
  };
  const RunResult tls13 = s_client({});
  EXPECT_NE(tls13.out.find("New, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384"), std::string::npos)
      << tls13.describe();
  EXPECT_NE(tls13.out.find("Verify return code: 0 (ok)"), std::string::npos);
  EXPECT_NE(s_client({"-tls1_2"}).exit_code, 0);
  EXPECT_NE(s_client({"-tls1_3", "-ciphersuites", "TLS_AES_128_CCM_SHA256"}).exit_code, 0);

  const RunResult gnutls =
      runProgram({"/usr/bin/gnutls-cli", "--x509cafile", (caDir() / "ca.crt").string(),
                  "--priority", "NORMAL:-VERS-TLS1.3", "-p", std::to_string(port_), "127.0.0.1"},
                 {}, 30s);
  EXPECT_NE(gnutls.exit_code, 0) << gnutls.describe();
  EXPECT_EQ(gnutls.out.find("Handshake was completed"), std::string::npos) << gnutls.describe();
}

// The settings files shipped in packaging/etc are read by the daemons
// (their values, with the test's paths given on the command line winning),
// and a misspelt key stops a daemon with the file and line.
TEST_F(SessionTest, TheShippedSettingsFilesAreAccepted) {
  const stdfs::path shipped = stdfs::path(SC_SOURCE_DIR) / "packaging" / "etc";
  Process serve({SC_SCCTL_BIN, "serve", "--config", (shipped / "controller.yml").string(),
                 "--ca-dir", caDir().string(), "--listen", "127.0.0.1", "--port", "0",
                 "--port-file", (dir_.path() / "port2").string(), "--admin-socket",
                 (dir_.path() / "admin2.sock").string(), "--trust-dir", trustDir().string(), "--db",
                 (dir_.path() / "controller2.db").string()});
  for (int i = 0; i < 200 && !stdfs::exists(dir_.path() / "port2"); ++i) {
    std::this_thread::sleep_for(25ms);
  }
  EXPECT_TRUE(stdfs::exists(dir_.path() / "port2")) << serve.wait(1s).describe();
  serve.kill(SIGTERM);
  EXPECT_EQ(serve.wait(10s).exit_code, 0);

  // Not enrolled (exit 1), which it can only say once the file was read.
  const RunResult agent =
      runProgram({agentBinary(), "run", "--config", (shipped / "agent.yml").string(), "--state-dir",
                  stateOf("web9").string()});
  EXPECT_EQ(agent.exit_code, 1) << agent.describe();

  writeFile(dir_.path() / "bad.yml", "state_dir: /tmp/x\nsplay: 5\nbackof: 2\n");
  const RunResult misspelt =
      runProgram({agentBinary(), "run", "--config", (dir_.path() / "bad.yml").string()});
  EXPECT_EQ(misspelt.exit_code, 2) << misspelt.describe();
  EXPECT_NE(misspelt.err.find("bad.yml:3"), std::string::npos) << misspelt.describe();
  EXPECT_NE(misspelt.err.find("did you mean 'backoff'?"), std::string::npos) << misspelt.describe();
}

// `verbose` in the settings file works as -v does: the file is read
// before logging is set up.
TEST_F(SessionTest, ASettingsFileCanTurnOnDebugLogging) {
  enrollWithToken("web1");
  writeFile(dir_.path() / "agent.yml", "verbose: 1\nbackoff: 0.1\n");
  Process agent({agentBinary(), "run", "--config", (dir_.path() / "agent.yml").string(),
                 "--state-dir", stateOf("web1").string()});
  std::this_thread::sleep_for(1s);
  agent.kill(SIGTERM);
  const RunResult ran = agent.wait(10s);
  EXPECT_NE(ran.err.find("debug: enrolled as 'web1'"), std::string::npos) << ran.describe();
  EXPECT_NE(ran.err.find("connected to"), std::string::npos) << ran.describe();
}

TEST_F(SessionTest, HostileClientsAreRefusedAndARealAgentStaysConnected) {
  enrollWithToken("web1");
  enrollWithToken("web2");
  auto agent = runAgent("web1");
  std::this_thread::sleep_for(500ms);

  {  // No certificate: only hello and enroll are allowed (T-14).
    RawClient anonymous(port_, {});
    ASSERT_TRUE(anonymous.handshakeOk());
    anonymous.send(protocol::MessageType::Hello, hello("web1"));
    auto welcome = anonymous.next();
    ASSERT_TRUE(welcome.has_value());
    EXPECT_EQ(nlohmann::json::parse(welcome->body)["role"], "enrolling");
    anonymous.send(protocol::MessageType::Heartbeat, {{"at", 1}});
    EXPECT_EQ(anonymous.closingReason(), "protocol_error");
  }
  {  // Another host's name in hello under web2's certificate (T-13).
    RawClient impostor(port_, agentIdentity("web2"));
    ASSERT_TRUE(impostor.handshakeOk());
    impostor.send(protocol::MessageType::Hello, hello("web1"));
    EXPECT_EQ(impostor.closingReason(), "not_permitted");
  }
  {  // Messages only the controller sends (T-14).
    RawClient confused(port_, agentIdentity("web2"));
    confused.send(protocol::MessageType::Hello, hello("web2"));
    ASSERT_TRUE(confused.next().has_value());
    confused.send(protocol::MessageType::Push, {{"envelope", "x"}});
    EXPECT_EQ(confused.closingReason(), "protocol_error");
  }
  {  // An oversized frame header (B-21).
    RawClient oversized(port_, agentIdentity("web2"));
    oversized.sendRaw(std::string("\x7f\xff\xff\xff\x00\x01\x00\x00", 8));
    EXPECT_EQ(oversized.closingReason(), "protocol_error");
  }
  {  // Garbage bytes instead of a TLS handshake.
    RawClient::Options plain;
    plain.handshake = false;
    RawClient garbage(port_, plain);
    garbage.sendRaw("GET / HTTP/1.0\r\n\r\n");
    EXPECT_TRUE(garbage.closedByPeer());
  }
  {  // Connects and says nothing: closed after the handshake deadline (T-08).
    RawClient::Options plain;
    plain.handshake = false;
    const auto started = std::chrono::steady_clock::now();
    RawClient silent(port_, plain);
    EXPECT_TRUE(silent.closedByPeer());
    const auto waited = std::chrono::steady_clock::now() - started;
    EXPECT_GE(waited, 1500ms);
    EXPECT_LE(waited, 5s);
  }
  {  // Completes TLS, then never says hello.
    RawClient mute(port_, agentIdentity("web2"));
    ASSERT_TRUE(mute.handshakeOk());
    EXPECT_EQ(mute.closingReason(), "");
    EXPECT_TRUE(mute.closedByPeer());
  }
  agent->kill(SIGTERM);
  const RunResult ran = agent->wait(10s);
  EXPECT_EQ(countOccurrences(ran.err, "connected to"), 1u) << ran.err;
  EXPECT_EQ(countOccurrences(ran.err, "session with"), 0u) << ran.err;
}

TEST_F(SessionTest, ACertificateFromAnotherCaIsRefused) {
  enrollWithToken("web1");
  // A second CA, and a host enrolled with it.
  const auto other_ca = dir_.path() / "other-ca";
  ASSERT_EQ(
      runProgram({SC_SCCTL_BIN, "ca", "--ca-dir", other_ca.string(), "init", "--name", "127.0.0.1"})
          .exit_code,
      0);
  auto other = std::make_unique<Process>(std::vector<std::string>{
      SC_SCCTL_BIN, "serve", "--ca-dir", other_ca.string(), "--listen", "127.0.0.1", "--port", "0",
      "--port-file", (dir_.path() / "other-port").string(), "--admin-socket",
      (dir_.path() / "other.sock").string(), "--db", (dir_.path() / "other.db").string()});
  for (int i = 0; i < 200 && !stdfs::exists(dir_.path() / "other-port"); ++i) {
    std::this_thread::sleep_for(25ms);
  }
  const std::string other_port = *readFile(dir_.path() / "other-port");
  const RunResult made = runProgram(
      {SC_SCCTL_BIN, "token", "--ca-dir", other_ca.string(), "create", "--host", "rogue"});
  std::string rogue_token = made.out.substr(0, made.out.find('\n'));
  const RunResult enrolled =
      runProgram({agentBinary(), "enroll", "--controller",
                  "127.0.0.1:" + other_port.substr(0, other_port.find('\n')), "--name", "rogue",
                  "--token", rogue_token, "--state-dir", stateOf("rogue").string()});
  ASSERT_EQ(enrolled.exit_code, 0) << enrolled.describe();

  // The rogue certificate at our controller: the handshake fails.
  RawClient rogue(port_, agentIdentity("rogue"));
  if (rogue.handshakeOk()) {
    rogue.send(protocol::MessageType::Hello, hello("rogue"));
    EXPECT_FALSE(rogue.next().has_value());
  }
  // Our agent pointed at the other controller: not its controller (T-12).
  writeFile(
      stateOf("web1") / "tls" / "controller.json",
      nlohmann::json({{"controller", "127.0.0.1:" + other_port.substr(0, other_port.find('\n'))},
                      {"name", "web1"}})
          .dump());
  auto misdirected = runAgent("web1");
  std::this_thread::sleep_for(1500ms);
  misdirected->kill(SIGTERM);
  const RunResult ran = misdirected->wait(10s);
  EXPECT_EQ(countOccurrences(ran.err, "connected to"), 0u) << ran.err;
  EXPECT_NE(ran.err.find("peer_not_controller"), std::string::npos) << ran.err;
  other->kill(SIGTERM);
}

TEST_F(SessionTest, RevocationClosesTheOpenSessionAndRefusesTheNext) {
  enrollWithToken("web1");
  RawClient open(port_, agentIdentity("web1"));
  ASSERT_TRUE(open.handshakeOk());
  open.send(protocol::MessageType::Hello, hello("web1"));
  ASSERT_TRUE(open.next().has_value());
  const RunResult revoked =
      runProgram({SC_SCCTL_BIN, "ca", "--ca-dir", caDir().string(), "revoke", "web1"});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.describe();
  // The open session ends with "revoked" within the poll interval (T-15).
  std::string reason;
  while (auto frame = open.next()) {
    if (frame->type == protocol::MessageType::Error) {
      reason = nlohmann::json::parse(frame->body).value("reason", "");
      break;
    }
  }
  EXPECT_EQ(reason, "revoked");
  // A fresh handshake with the same certificate is refused too.
  RawClient again(port_, agentIdentity("web1"));
  EXPECT_EQ(again.closingReason(), "revoked");
}

TEST_F(PushTest, PushesToEveryConnectedHostAndRecapsWhatHappened) {
  const RunResult first = apply();
  // web3 never enrolled: unreachable, the others converged.
  EXPECT_EQ(first.exit_code, 6) << first.describe();
  EXPECT_EQ(*readFile(rootOf("web1") / "etc" / "motd"), "web1 Linux\n");
  EXPECT_EQ(*readFile(rootOf("web2") / "etc" / "motd"), "web2 Linux\n");
  EXPECT_NE(first.out.find("web1 | changed: copy[/etc/motd]"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("web2 | changed: copy[/etc/motd]"), std::string::npos) << first.out;
  const auto recap = first.out.substr(first.out.find("RECAP"));
  EXPECT_NE(recap.find("web1"), std::string::npos);
  EXPECT_EQ(countOccurrences(recap, "ok=0 changed=1 failed=0"), 2u) << recap;
  EXPECT_NE(recap.find("web3"), std::string::npos);
  EXPECT_NE(recap.find("unreachable"), std::string::npos) << recap;

  // Again: nothing to change.
  const RunResult second = apply({"-l", "web1,web2"});
  EXPECT_EQ(second.exit_code, 0) << second.describe();
  EXPECT_EQ(countOccurrences(second.out, "ok=1 changed=0 failed=0"), 2u) << second.out;

  // A hand-made change: --check reports it and changes nothing.
  writeFile(rootOf("web1") / "etc" / "motd", "edited by hand\n");
  const RunResult checked = apply({"-l", "web1", "--check", "--diff"});
  EXPECT_EQ(checked.exit_code, 0) << checked.describe();
  EXPECT_NE(checked.out.find("would_change=1"), std::string::npos) << checked.out;
  EXPECT_EQ(*readFile(rootOf("web1") / "etc" / "motd"), "edited by hand\n");
  const RunResult repaired = apply({"-l", "web1"});
  EXPECT_EQ(repaired.exit_code, 0) << repaired.describe();
  EXPECT_EQ(*readFile(rootOf("web1") / "etc" / "motd"), "web1 Linux\n");
}

TEST_F(PushTest, AnAgentThatTrustsAnotherKeyRefusesAndWritesNothing) {
  const auto other_key = dir_.path() / "other.key";
  ASSERT_EQ(runProgram({SC_SCCTL_BIN, "key", "create", other_key.string()}).exit_code, 0);
  const std::string before = treeDigest(rootOf("web1"));
  const RunResult result = apply({"-l", "web1"}, other_key);
  EXPECT_EQ(result.exit_code, 1) << result.describe();
  EXPECT_NE(result.out.find("refused [unknown_key]"), std::string::npos) << result.out;
  EXPECT_EQ(treeDigest(rootOf("web1")), before);
}

// T-18: a captured push replayed, in the same session and in a new one
// after the agent restarted, is applied at most once: a hand edit made
// after the first apply survives every replay.
TEST_F(PushTest, AReplayedPushIsAppliedAtMostOnce) {
  writeFile(dir_.path() / "plain.yml",
            "- hosts: web1\n  tasks:\n"
            "    - copy:\n        content: \"{{ inventory_hostname }}\\n\"\n"
            "        dest: /etc/motd\n");
  const auto envelopes = dir_.path() / "envelopes";
  const RunResult compiled =
      runProgram({SC_SCCTL_BIN, "compile", (dir_.path() / "plain.yml").string(), "-i",
                  (dir_.path() / "hosts.ini").string(), "--sign", keyPath().string(), "-o",
                  envelopes.string()});
  ASSERT_EQ(compiled.exit_code, 0) << compiled.describe();
  const std::string captured = *readFile(envelopes / "web1.envelope.json");

  // What a replaying peer gets back: the agent's result event.
  const auto push = [&]() -> nlohmann::json {
    auto admin = controller::push::AdminClient::connect(adminSocket().string());
    EXPECT_TRUE(admin.has_value());
    if (!admin) return {};
    EXPECT_TRUE(admin->send({{"op", "push"}, {"host", "web1"}, {"envelope", captured}}));
    for (;;) {
      auto event = admin->next(30s);
      if (!event) return {{"error", event.error().describe()}};
      if (event->value("event", "") != "progress") return *event;
    }
  };
  const auto first = push();
  ASSERT_EQ(first.value("event", ""), "result") << first.dump();
  EXPECT_EQ(first["result"].value("event", ""), "report") << first.dump();
  EXPECT_EQ(*readFile(rootOf("web1") / "etc" / "motd"), "web1\n");
  writeFile(rootOf("web1") / "etc" / "motd", "edited by hand\n");

  const auto same_session = push();
  EXPECT_EQ(same_session["result"].value("event", ""), "already_applied") << same_session.dump();
  agents_[0]->kill(SIGTERM);
  agents_[0]->wait(10s);
  agents_[0] = startPushAgent("web1");
  waitForAgents(2);
  const auto new_session = push();
  EXPECT_EQ(new_session["result"].value("event", ""), "already_applied") << new_session.dump();
  EXPECT_EQ(*readFile(rootOf("web1") / "etc" / "motd"), "edited by hand\n");
}

// T-20: an agent (here a hostile one with web1's real certificate) sends
// terminal escapes, CR LF header injections and a line posing as another
// host's; scctl apply prints them escaped, each under web1's name.
TEST_F(PushTest, HostileAgentTextIsEscapedInTheLiveLinesAndTheRecap) {
  auto hostile = impersonateWeb1();
  ASSERT_TRUE(hostile->handshakeOk());
  Process apply({SC_SCCTL_BIN, "apply", (dir_.path() / "site.yml").string(), "-i",
                 (dir_.path() / "hosts.ini").string(), "-l", "web1", "--admin-socket",
                 adminSocket().string(), "--sign", keyPath().string()});
  bool pushed = false;
  while (auto frame = hostile->next()) {
    const auto body = nlohmann::json::parse(frame->body, nullptr, false);
    if (frame->type == protocol::MessageType::FactsRequest) {
      hostile->send(protocol::MessageType::Facts,
                    {{"request_id", body["request_id"]}, {"facts", {{"ansible_system", "Linux"}}}});
    } else if (frame->type == protocol::MessageType::Push) {
      hostile->send(protocol::MessageType::Progress,
                    {{"push_id", body["push_id"]},
                     {"event", "resource"},
                     {"line", "\x1b[2J wiped\r\nBcc: x@example.invalid\nweb2 | changed: forged"}});
      hostile->send(protocol::MessageType::Result, {{"push_id", body["push_id"]},
                                                    {"event", "refused"},
                                                    {"reason", "\x1b[31mred"},
                                                    {"message", "no\r\nBcc: y@example.invalid"}});
      pushed = true;
      break;
    }
  }
  ASSERT_TRUE(pushed);
  const RunResult result = apply.wait(60s);
  EXPECT_EQ(result.exit_code, 1) << result.describe();
  EXPECT_EQ(result.out.find('\x1b'), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find('\r'), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("web1 | \\x1b[2J wiped\\x0d"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("web1 | web2 | changed: forged"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("\nweb2 | "), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("refused [\\x1b[31mred] no\\x0d\\x0aBcc"), std::string::npos)
      << result.out;
}

// T-19: an agent's answers are data, never code. A result whose fields
// have the wrong types is reported as malformed (scctl does not crash or
// guess), and text that would mean something to a template engine, a
// shell, a YAML loader or printf reaches the recap verbatim. Neither
// scctl apply nor scctl serve starts any program while taking them in.
TEST_F(PushTest, HostileResultsAreDecodedStrictlyAndShownVerbatim) {
  if (::access("/usr/bin/strace", X_OK) != 0) {
    GTEST_SKIP() << "strace is not installed (scripts/setup.sh installs it)";
  }
  auto hostile = impersonateWeb1();
  ASSERT_TRUE(hostile->handshakeOk());
  const std::string payload = "{{ 7*7 }} ${x} !ruby/object:Gem::Installer %n%s $(id) `id`";
  Process serve_trace({"/usr/bin/strace", "-f", "-qq", "-e", "trace=execve", "-o",
                       (dir_.path() / "serve.trace").string(), "-p",
                       std::to_string(controller_->pid())});
  std::this_thread::sleep_for(500ms);  // attached
  const std::vector<nlohmann::json> answers = {
      {{"event", "report"}, {"report", {{"recap", {{"ok", 1}, {"failed", "x"}}}}}},
      {{"event", "refused"}, {"reason", payload}, {"message", payload}}};
  for (const auto& answer : answers) {
    // LeakSanitizer cannot ptrace a process that strace already traces.
    SpawnOptions untraced_leaks;
    untraced_leaks.env["ASAN_OPTIONS"] = "detect_leaks=0";
    Process apply(
        {"/usr/bin/strace", "-f", "-qq", "-e", "trace=execve", "-o",
         (dir_.path() / "apply.trace").string(), SC_SCCTL_BIN, "apply",
         (dir_.path() / "site.yml").string(), "-i", (dir_.path() / "hosts.ini").string(), "-l",
         "web1", "--admin-socket", adminSocket().string(), "--sign", keyPath().string()},
        untraced_leaks);
    bool pushed = false;
    while (auto frame = hostile->next()) {
      const auto body = nlohmann::json::parse(frame->body, nullptr, false);
      if (frame->type == protocol::MessageType::FactsRequest) {
        hostile->send(protocol::MessageType::Facts, {{"request_id", body["request_id"]},
                                                     {"facts", {{"ansible_system", payload}}}});
      } else if (frame->type == protocol::MessageType::Push) {
        hostile->send(protocol::MessageType::Progress,
                      {{"push_id", body["push_id"]}, {"event", "resource"}, {"line", 42}});
        nlohmann::json result = answer;
        result["push_id"] = body["push_id"];
        hostile->send(protocol::MessageType::Result, result);
        pushed = true;
        break;
      }
    }
    ASSERT_TRUE(pushed);
    const RunResult result = apply.wait(60s);
    EXPECT_EQ(result.exit_code, 1) << result.describe();
    EXPECT_NE(result.out.find("web1 | malformed progress from the agent: 'line' is not a string"),
              std::string::npos)
        << result.out;
    if (answer["event"] == "report") {
      EXPECT_NE(result.out.find("malformed result from the agent: 'failed' is not a count"),
                std::string::npos)
          << result.out;
    } else {
      EXPECT_NE(result.out.find("refused [" + payload + "] " + payload), std::string::npos)
          << result.out;
      EXPECT_EQ(result.out.find("[49]"), std::string::npos) << result.out;
    }
    // One execve: scctl's own start.
    EXPECT_EQ(countOccurrences(*readFile(dir_.path() / "apply.trace"), "execve("), 1u);
  }
  serve_trace.kill(SIGINT);
  serve_trace.wait(10s);
  EXPECT_EQ(countOccurrences(*readFile(dir_.path() / "serve.trace"), "execve("), 0u);
  waitForAgents(2);  // the controller kept serving
}

// Certificates are short-lived and renewed over the session: an agent
// whose certificate comes due while its session is open ends that session
// between pushes, renews at the start of the next, and carries on with a
// certificate of the controller's full validity for the same key.
TEST_F(SessionTest, ACertificateComingDueIsRenewedOverTheSession) {
  enrollWithToken("web1");
  auto authority = controller::ca::CertificateAuthority::open(caDir());
  ASSERT_TRUE(authority) << authority.error().describe();
  const auto tls = stateOf("web1") / "tls";
  auto key = pki::EcKey::fromPemFile(tls / "agent.key");
  ASSERT_TRUE(key);
  auto request = pki::CertificateRequest::create(*key, "web1");
  ASSERT_TRUE(request);
  // Valid from a minute ago for 45 s more: due (a third of its life left)
  // about 10 s from now, so the session it opens is not yet due.
  const std::int64_t now = time::unixNow();
  auto short_lived = authority->issueAgent(*request, "web1", now, 45);
  ASSERT_TRUE(short_lived);
  writeFile(tls / "agent.crt", short_lived->pem());

  auto agent = runAgent("web1");
  std::optional<pki::Certificate> renewed;
  for (int i = 0; i < 300 && !renewed; ++i) {
    std::this_thread::sleep_for(100ms);
    auto current = pki::Certificate::fromPemFile(tls / "agent.crt");
    if (current && current->serialHex() != short_lived->serialHex()) renewed = *current;
  }
  ASSERT_TRUE(renewed) << "not renewed within 30 s";
  EXPECT_GE(time::unixNow() - now, 8) << "renewed before it was due";
  EXPECT_GT(renewed->notAfter(), now + 80 * controller::ca::kDay);
  EXPECT_EQ(pki::publicKeyFingerprint(X509_get0_pubkey(renewed->get())),
            pki::publicKeyFingerprint(key->get()));
  std::this_thread::sleep_for(1s);
  agent->kill(SIGTERM);
  const RunResult ran = agent->wait(10s);
  EXPECT_NE(ran.err.find("due for renewal"), std::string::npos) << ran.err;
  EXPECT_NE(ran.err.find("certificate renewed until"), std::string::npos) << ran.err;
  EXPECT_EQ(countOccurrences(ran.err, "connected to"), 2u) << ran.err;
}

// F-15: certificates outside their dates, as a wrong clock makes them. A
// host a day behind sees the controller's certificate start tomorrow; one
// ten years ahead sees it long expired; a controller sees an agent's
// certificate expired. Each message names the clock, the reason code
// tells not_yet_valid from expired, no session is made, and a good
// certificate heals it.
TEST_F(SessionTest, CertificatesOutsideTheirDatesNameTheClock) {
  enrollWithToken("web1");
  auto authority = controller::ca::CertificateAuthority::open(caDir());
  ASSERT_TRUE(authority) << authority.error().describe();
  const std::int64_t now = time::unixNow();
  const std::vector<std::string> names = {"localhost", "127.0.0.1"};
  auto agentSays = [&] {
    auto agent = runAgent("web1");
    std::this_thread::sleep_for(1500ms);
    agent->kill(SIGTERM);
    return agent->wait(10s).err;
  };
  struct Case {
    std::int64_t issued_at;
    const char* reason;
    const char* words;
  };
  for (const Case& c :
       {Case{now + controller::ca::kDay, "[not_yet_valid]", "clock is probably behind"},
        Case{now - 900 * controller::ca::kDay, "[expired]", "clock is ahead"}}) {
    SCOPED_TRACE(c.reason);
    ASSERT_TRUE(authority->renewController(names, c.issued_at));
    stopController();
    startController();
    const std::string said = agentSays();
    EXPECT_NE(said.find(c.reason), std::string::npos) << said;
    EXPECT_NE(said.find(c.words), std::string::npos) << said;
    EXPECT_EQ(countOccurrences(said, "connected to"), 0u) << said;
  }

  // The controller's certificate good again; the agent's expired 10 days ago.
  ASSERT_TRUE(authority->renewController(names, now));
  stopController();
  startController();
  const auto tls = stateOf("web1") / "tls";
  const std::string good_certificate = *readFile(tls / "agent.crt");
  auto key = pki::EcKey::fromPemFile(tls / "agent.key");
  ASSERT_TRUE(key);
  auto request = pki::CertificateRequest::create(*key, "web1");
  ASSERT_TRUE(request);
  auto expired = authority->issueAgent(*request, "web1", now - 100 * controller::ca::kDay);
  ASSERT_TRUE(expired);
  writeFile(tls / "agent.crt", expired->pem());
  const std::string said = agentSays();
  EXPECT_NE(said.find("refused this host's certificate as expired"), std::string::npos) << said;
  EXPECT_NE(said.find("[expired]"), std::string::npos) << said;
  EXPECT_NE(said.find("clocks"), std::string::npos) << said;
  EXPECT_EQ(countOccurrences(said, "connected to"), 0u) << said;
  const RunResult controller = stopController();
  EXPECT_NE(controller.err.find("the agent's certificate has expired, or this host's clock"),
            std::string::npos)
      << controller.err;

  startController();
  writeFile(tls / "agent.crt", good_certificate);
  EXPECT_EQ(countOccurrences(agentSays(), "connected to"), 1u);
}

// Either side restarted in the middle of a push (SECURITY.md F-03): the
// run in progress finishes whole in its `sc-agent apply` child, the
// waiting `scctl apply` reports the host as lost (never silently), and
// the next apply finds the host converged.
class RestartMidPushTest : public PushTest {
 protected:
  void SetUp() override {
    PushTest::SetUp();
    // A slow first task, so the restart lands inside the run.
    writeFile(dir_.path() / "slow.yml",
              "- hosts: web1\n  tasks:\n"
              "    - command: sleep 3\n"
              "    - copy:\n        content: \"after\\n\"\n        dest: /etc/after\n");
  }

  std::unique_ptr<Process> startSlowApply() {
    return std::make_unique<Process>(
        std::vector<std::string>{SC_SCCTL_BIN, "apply", (dir_.path() / "slow.yml").string(), "-i",
                                 (dir_.path() / "hosts.ini").string(), "--admin-socket",
                                 adminSocket().string(), "--sign", keyPath().string()});
  }

  // The interrupted run's last resource, written by the child that went on.
  bool runFinished() {
    for (int i = 0; i < 100; ++i) {
      if (stdfs::exists(rootOf("web1") / "etc" / "after")) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }

  void expectLostThenConverged(Process& interrupted) {
    const RunResult lost = interrupted.wait(60s);
    EXPECT_EQ(lost.exit_code, 1) << lost.describe();
    const auto recap = lost.out.substr(std::min(lost.out.find("RECAP"), lost.out.size()));
    EXPECT_NE(recap.find("web1"), std::string::npos) << lost.describe();
    EXPECT_NE(recap.find("state unknown"), std::string::npos) << lost.describe();
    ASSERT_TRUE(runFinished());
    EXPECT_EQ(*readFile(rootOf("web1") / "etc" / "after"), "after\n");
    waitForAgents(2);
    const RunResult again =
        runProgram({SC_SCCTL_BIN, "apply", (dir_.path() / "slow.yml").string(), "-i",
                    (dir_.path() / "hosts.ini").string(), "--admin-socket", adminSocket().string(),
                    "--sign", keyPath().string()},
                   {}, 60s);
    EXPECT_EQ(again.exit_code, 0) << again.describe();
    EXPECT_NE(again.out.find("web1 | ok: copy[/etc/after]"), std::string::npos) << again.out;
  }
};

TEST_F(RestartMidPushTest, TheControllerRestarts) {
  auto apply = startSlowApply();
  std::this_thread::sleep_for(1500ms);
  stopController();
  startController();
  expectLostThenConverged(*apply);
}

// Killed outright: SIGTERM would let the daemon wait for its child, so
// SIGKILL is the harder case, where the child loses its reader mid-run.
TEST_F(RestartMidPushTest, TheAgentIsKilledAndRestarts) {
  auto apply = startSlowApply();
  std::this_thread::sleep_for(1500ms);
  agents_[0]->kill(SIGKILL);
  agents_[0]->wait(10s);
  agents_[0] = startPushAgent("web1");
  expectLostThenConverged(*apply);
}

// Keys rotate without re-enrolling (SECURITY.md T-09): agents receive the
// root documents with every push. web1 follows each rotation as it
// happens; web2 is offline across two of them and walks v1 -> v2 -> v3 when
// it is back; the retired signing key is refused by name.
class RootRotationTest : public PushTest {
 protected:
  void SetUp() override {
    follow_roots_ = true;
    PushTest::SetUp();
  }

  stdfs::path key(const std::string& name) const { return dir_.path() / (name + ".key"); }

  void scctl(std::vector<std::string> argv) {
    argv.insert(argv.begin(), SC_SCCTL_BIN);
    const RunResult result = runProgram(argv);
    ASSERT_EQ(result.exit_code, 0) << result.describe();
  }

  std::uint64_t trustedVersion(const std::string& host) {
    const RunResult shown = runProgram(
        {agentBinary(), "trust", "show", "--json", "--state-dir", stateOf(host).string()});
    const auto doc = nlohmann::json::parse(shown.out, nullptr, false);
    return doc.is_object() ? doc.value("version", std::uint64_t{0}) : 0;
  }
};

TEST_F(RootRotationTest, AgentsFollowRotationsAndRefuseTheRetiredKey) {
  scctl({"key", "create", key("root1").string()});
  scctl({"trust", "init", "--dir", trustDir().string(), "--root-key", key("root1").string(),
         "--signing-key", keyPath().string() + ".pub"});
  const RunResult first = apply({"-l", "web1,web2"});
  ASSERT_EQ(first.exit_code, 0) << first.describe();
  EXPECT_EQ(trustedVersion("web1"), 1u);
  EXPECT_EQ(trustedVersion("web2"), 1u);

  // web2 goes offline; the signing key rotates (v2), then the root key (v3).
  agents_[1]->kill(SIGTERM);
  agents_[1]->wait(10s);
  scctl({"key", "create", key("signing2").string()});
  scctl({"trust", "rotate", "--dir", trustDir().string(), "--sign-with", key("root1").string(),
         "--add-signing-key", key("signing2").string() + ".pub", "--retire",
         keyPath().string() + ".pub"});
  scctl({"key", "create", key("root2").string()});
  // Signed by the new root key alone: version 2's threshold is not met.
  const RunResult unsigned_by_old =
      runProgram({SC_SCCTL_BIN, "trust", "rotate", "--dir", trustDir().string(), "--sign-with",
                  key("root2").string(), "--add-root-key", key("root2").string(), "--retire",
                  key("root1").string()});
  EXPECT_EQ(unsigned_by_old.exit_code, 1) << unsigned_by_old.describe();
  EXPECT_FALSE(stdfs::exists(trustDir() / "root.3.json"));
  scctl({"trust", "rotate", "--dir", trustDir().string(), "--sign-with", key("root1").string(),
         "--sign-with", key("root2").string(), "--add-root-key", key("root2").string(), "--retire",
         key("root1").string()});

  writeFile(dir_.path() / "site.yml",
            "- hosts: all\n  tasks:\n"
            "    - copy:\n        content: \"rotated\\n\"\n        dest: /etc/motd\n");
  // The retired key: web1 walks to v3 and refuses it by name.
  const std::string before = treeDigest(rootOf("web1"));
  const RunResult retired = apply({"-l", "web1"});
  EXPECT_EQ(retired.exit_code, 1) << retired.describe();
  EXPECT_NE(retired.out.find("refused [retired_key]"), std::string::npos) << retired.out;
  EXPECT_EQ(treeDigest(rootOf("web1")), before);
  EXPECT_EQ(trustedVersion("web1"), 3u);

  const RunResult rotated = apply({"-l", "web1"}, key("signing2"));
  EXPECT_EQ(rotated.exit_code, 0) << rotated.describe();
  EXPECT_EQ(*readFile(rootOf("web1") / "etc" / "motd"), "rotated\n");

  // web2 comes back at v1 and walks to v3 unaided.
  agents_[1] = startPushAgent("web2");
  waitForAgents(2);
  EXPECT_EQ(trustedVersion("web2"), 1u);
  const RunResult caught_up = apply({"-l", "web2"}, key("signing2"));
  EXPECT_EQ(caught_up.exit_code, 0) << caught_up.describe();
  EXPECT_EQ(*readFile(rootOf("web2") / "etc" / "motd"), "rotated\n");
  EXPECT_EQ(trustedVersion("web2"), 3u);
}

}  // namespace
}  // namespace sc::testing
