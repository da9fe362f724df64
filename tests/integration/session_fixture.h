// Fixtures for tests of agent sessions with the real binaries on loopback:
// a CA made by `scctl ca init`, `scctl serve`, agents enrolled by
// `sc-agent enroll` and kept connected by `sc-agent run`. Hostile peers
// are RawClient, a raw TLS client written with OpenSSL, so that each can be
// exactly as wrong as its case needs.
#pragma once

#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <thread>

#include "common/protocol/frame.h"
#include "tests/integration/agent_runner.h"

namespace sc::testing {

namespace stdfs = std::filesystem;
using namespace std::chrono_literals;

// A blocking TLS client for poking at the controller.
class RawClient {
 public:
  struct Options {
    std::optional<stdfs::path> certificate;
    std::optional<stdfs::path> key;
    bool tls12_only = false;
    bool handshake = true;  // false: a plain TCP connection
  };

  RawClient(std::uint16_t port, const Options& options) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    timeval timeout{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    if (!connected_ || !options.handshake) return;
    ctx_ = SSL_CTX_new(TLS_client_method());
    if (options.tls12_only) {
      SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
      SSL_CTX_set_max_proto_version(ctx_, TLS1_2_VERSION);
    }
    if (options.certificate) {
      SSL_CTX_use_certificate_file(ctx_, options.certificate->c_str(), SSL_FILETYPE_PEM);
      SSL_CTX_use_PrivateKey_file(ctx_, options.key->c_str(), SSL_FILETYPE_PEM);
    }
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    handshake_ok_ = SSL_connect(ssl_) == 1;
    ERR_clear_error();
  }
  ~RawClient() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
    if (fd_ >= 0) ::close(fd_);
  }

  bool handshakeOk() const { return handshake_ok_; }
  std::string version() const { return ssl_ != nullptr ? SSL_get_version(ssl_) : ""; }

  void sendRaw(const std::string& bytes) {
    if (ssl_ != nullptr) {
      SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()));
    } else {
      ASSERT_EQ(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL),
                static_cast<ssize_t>(bytes.size()));
    }
  }
  void send(protocol::MessageType type, const nlohmann::json& body) {
    sendRaw(protocol::encode({type, body.dump()}));
  }

  // The next frame, or nullopt once the controller closed (or 10 s passed).
  std::optional<protocol::Frame> next() {
    for (;;) {
      if (auto frame = decoder_.next()) return frame;
      char buffer[4096];
      const int got = ssl_ != nullptr ? SSL_read(ssl_, buffer, sizeof buffer)
                                      : static_cast<int>(::recv(fd_, buffer, sizeof buffer, 0));
      ERR_clear_error();
      if (got <= 0) return std::nullopt;
      if (!decoder_.feed(std::string_view(buffer, static_cast<std::size_t>(got)))) {
        return std::nullopt;
      }
    }
  }

  // The reason of the error frame the controller ends with ("" if none).
  std::string closingReason() { return closingError().value("reason", ""); }
  // The body of the error frame the controller closed with ({} if none).
  nlohmann::json closingError() {
    while (auto frame = next()) {
      if (frame->type == protocol::MessageType::Error) return nlohmann::json::parse(frame->body);
    }
    return nlohmann::json::object();
  }

  // True when the controller closed the connection (read returns 0 or fails).
  bool closedByPeer() {
    while (next()) {
    }
    char byte;
    return ssl_ != nullptr ? SSL_read(ssl_, &byte, 1) <= 0 : ::recv(fd_, &byte, 1, 0) <= 0;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  bool handshake_ok_ = false;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  protocol::FrameDecoder decoder_;
};

inline nlohmann::json hello(const std::string& host) {
  return {{"protocol_versions", {1}}, {"host", host}};
}

class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const RunResult init = runProgram({SC_SCCTL_BIN, "ca", "--ca-dir", caDir().string(), "init",
                                       "--name", "localhost", "--name", "127.0.0.1"});
    ASSERT_EQ(init.exit_code, 0) << init.describe();
    startController();
  }

  // On port_ once it is known: agents dial the address they enrolled with.
  void startController() {
    stdfs::remove(dir_.path() / "port");
    std::vector<std::string> argv{SC_SCCTL_BIN,
                                  "serve",
                                  "--ca-dir",
                                  caDir().string(),
                                  "--listen",
                                  "127.0.0.1",
                                  "--port",
                                  std::to_string(port_),
                                  "--port-file",
                                  (dir_.path() / "port").string(),
                                  "--admin-socket",
                                  adminSocket().string(),
                                  "--trust-dir",
                                  trustDir().string(),
                                  "--heartbeat",
                                  heartbeat_,
                                  "--idle-timeout",
                                  idle_timeout_,
                                  "--handshake-timeout",
                                  handshake_timeout_,
                                  "--db",
                                  database().string(),
                                  "-v"};
    argv.insert(argv.end(), controller_extra_.begin(), controller_extra_.end());
    controller_ = std::make_unique<Process>(argv);
    for (int i = 0; i < 200 && !stdfs::exists(dir_.path() / "port"); ++i) {
      std::this_thread::sleep_for(25ms);
    }
    ASSERT_TRUE(stdfs::exists(dir_.path() / "port")) << controller_->wait(1s).describe();
    port_ = static_cast<std::uint16_t>(std::stoi(*readFile(dir_.path() / "port")));
  }

  // Stops the controller and returns what it logged.
  RunResult stopController() {
    controller_->kill(SIGTERM);
    return controller_->wait(10s);
  }

  stdfs::path caDir() const { return dir_.path() / "ca"; }
  stdfs::path adminSocket() const { return dir_.path() / "admin.sock"; }
  stdfs::path trustDir() const { return dir_.path() / "trust"; }
  // The report store, alone in its directory (SECURITY.md T-21 digests it).
  stdfs::path database() const { return dir_.path() / "store" / "controller.db"; }
  stdfs::path stateOf(const std::string& host) const { return dir_.path() / ("state-" + host); }
  // Where agents dial (and so keep dialling: enrolment stores it).
  std::string address() const {
    return fmt::format("127.0.0.1:{}", agent_port_ != 0 ? agent_port_ : port_);
  }

  std::string token(const std::string& host, const std::string& ttl = "1h") {
    const RunResult made = runProgram({SC_SCCTL_BIN, "token", "--ca-dir", caDir().string(),
                                       "create", "--host", host, "--ttl", ttl});
    EXPECT_EQ(made.exit_code, 0) << made.describe();
    std::string text = made.out;
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
  }

  RunResult enroll(const std::string& host, const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {
        agentBinary(), "enroll", "--controller", address(),
        "--name",      host,     "--state-dir",  stateOf(host).string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return runProgram(argv, {}, 30s);
  }

  void enrollWithToken(const std::string& host) {
    const RunResult result = enroll(host, {"--token", token(host)});
    ASSERT_EQ(result.exit_code, 0) << result.describe();
  }

  std::unique_ptr<Process> runAgent(const std::string& host) {
    return std::make_unique<Process>(std::vector<std::string>{agentBinary(), "run", "--state-dir",
                                                              stateOf(host).string(), "--backoff",
                                                              "0.1", "--backoff-cap", "0.5"});
  }

  RawClient::Options agentIdentity(const std::string& host) const {
    RawClient::Options options;
    options.certificate = stateOf(host) / "tls" / "agent.crt";
    options.key = stateOf(host) / "tls" / "agent.key";
    return options;
  }

  TempDir dir_;
  std::unique_ptr<Process> controller_;
  std::uint16_t port_ = 0;
  std::uint16_t agent_port_ = 0;               // set: agents dial this port (a proxy), not port_
  std::string heartbeat_ = "1";                // scctl serve --heartbeat
  std::string handshake_timeout_ = "2";        // scctl serve --handshake-timeout
  std::string idle_timeout_ = "3";             // scctl serve --idle-timeout
  std::vector<std::string> agent_extra_;       // more `sc-agent run` options
  std::vector<std::string> controller_extra_;  // more `scctl serve` options
};

// scctl apply over sessions: facts from the agents, signed envelopes pushed
// to every targeted host at once, lines streamed, and a recap that matches
// what happened on disk; a host without a session is unreachable.
class PushTest : public SessionTest {
 protected:
  void SetUp() override {
    ASSERT_EQ(runProgram({SC_SCCTL_BIN, "key", "create", keyPath().string()}).exit_code, 0);
    SessionTest::SetUp();
    beforeEnrolment();
    for (const std::string host : {"web1", "web2"}) {
      enrollWithToken(host);
      stdfs::create_directories(rootOf(host) / "etc");
      agents_.push_back(startPushAgent(host));
    }
    writeFile(dir_.path() / "hosts.ini", "web1\nweb2\nweb3\n");
    writeFile(dir_.path() / "site.yml",
              "- hosts: all\n  tasks:\n"
              "    - name: message of the day\n"
              "      copy:\n        content: \"{{ inventory_hostname }} {{ ansible_system }}\\n\"\n"
              "        dest: /etc/motd\n");
    waitForAgents(2);
  }

  void waitForAgents(std::size_t count) {
    std::string last;
    for (int i = 0; i < 40; ++i) {
      const RunResult hosts = hostsJson();
      std::size_t connected = 0;
      auto listed = nlohmann::json::parse(hosts.out, nullptr, false);
      if (listed.is_array()) {
        for (const auto& host : listed) connected += host.value("connected", false) ? 1u : 0u;
      }
      if (connected >= count) return;
      last = hosts.describe();
      std::this_thread::sleep_for(50ms);
    }
    std::string logs = last;
    for (auto& agent : agents_) {
      agent->kill(SIGTERM);
      logs += agent->wait(5s).describe();
    }
    FAIL() << "the agents did not connect: " << logs;
  }

  RunResult hostsJson() {
    return runProgram({SC_SCCTL_BIN, "hosts", "--json", "--admin-socket", adminSocket().string(),
                       "--ca-dir", caDir().string(), "--db", database().string()});
  }

  RunResult apply(const std::vector<std::string>& extra = {}, const stdfs::path& key = {}) {
    std::vector<std::string> argv = {SC_SCCTL_BIN,
                                     "apply",
                                     (dir_.path() / "site.yml").string(),
                                     "-i",
                                     (dir_.path() / "hosts.ini").string(),
                                     "--admin-socket",
                                     adminSocket().string(),
                                     "--sign",
                                     (key.empty() ? keyPath() : key).string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return runProgram(argv, {}, 120s);
  }

  // Agents trust the signing key they are given, or (follow_roots_) the
  // root documents pushes carry.
  std::unique_ptr<Process> startPushAgent(const std::string& host) {
    std::vector<std::string> argv = {
        agentBinary(),         "run",       "--state-dir", stateOf(host).string(), "--root",
        rootOf(host).string(), "--backoff", "0.1",         "--backoff-cap",        "0.5"};
    if (!follow_roots_) argv.insert(argv.end(), {"--trust", keyPath().string() + ".pub"});
    argv.insert(argv.end(), agent_extra_.begin(), agent_extra_.end());
    return std::make_unique<Process>(argv);
  }

  // web1's agent stopped, and a client of the test's holding web1's
  // session in its place with web1's real certificate: an agent as hostile
  // as a case needs.
  std::unique_ptr<RawClient> impersonateWeb1() {
    agents_[0]->kill(SIGTERM);
    agents_[0]->wait(10s);
    auto hostile = std::make_unique<RawClient>(port_, agentIdentity("web1"));
    hostile->send(protocol::MessageType::Hello, hello("web1"));
    waitForAgents(2);
    return hostile;
  }

  // Runs once the controller listens, before the agents enrol.
  virtual void beforeEnrolment() {}

  stdfs::path keyPath() const { return dir_.path() / "signing.key"; }
  stdfs::path rootOf(const std::string& host) const { return dir_.path() / ("root-" + host); }

  bool follow_roots_ = false;

  std::vector<std::unique_ptr<Process>> agents_;
};

}  // namespace sc::testing
