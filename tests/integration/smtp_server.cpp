#include "tests/integration/smtp_server.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "tests/integration/agent_runner.h"

namespace sc::testing {
namespace {

namespace stdfs = std::filesystem;
using namespace std::chrono_literals;

// Debian's interpreter, the one python3-aiosmtpd installs for, not whichever
// python3 comes first on PATH; and no inherited module path to mislead it.
constexpr const char* kPython = "/usr/bin/python3";
const SpawnOptions kPythonOptions{{}, {"PYTHONPATH", "PYTHONHOME"}, {}};

// One JSON object per stored message, decoded by the standard library.
constexpr const char* kReadMaildir = R"(
import email, email.policy, json, pathlib, sys
out = []
for path in sorted(pathlib.Path(sys.argv[1], 'new').iterdir()):
    m = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    out.append({'subject': str(m['Subject']), 'headers': list(m.keys()),
                'date': int(m['Date'].datetime.timestamp()), 'message_id': m['Message-ID'],
                'mail_from': m['X-MailFrom'], 'rcpt_to': m['X-RcptTo'],
                'raw': path.read_bytes().decode('utf-8', 'replace')})
print(json.dumps(out))
)";

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

// Whether process `pid` holds a socket listening on TCP port `port`, so that
// a listener someone else put there in the meantime is not taken for it.
bool listensOn(pid_t pid, std::uint16_t port) {
  const std::string local_port = fmt::format(":{:04X}", port);
  std::set<std::string> sockets;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // the column names
    while (std::getline(in, line)) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      std::istringstream fields(line);
      std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
      fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
          timeout >> inode;
      if (state == "0A" && local.ends_with(local_port)) sockets.insert("socket:[" + inode + "]");
    }
  }
  if (sockets.empty()) return false;
  std::error_code ec;
  for (const auto& fd : stdfs::directory_iterator(fmt::format("/proc/{}/fd", pid), ec)) {
    if (sockets.count(stdfs::read_symlink(fd.path(), ec).string()) != 0) return true;
  }
  return false;
}

// Starts the server `argv` makes for `port` (or, for 0, a free port) and
// waits until it accepts there. A free port can be taken between the probe
// and the server's bind, so a server that exits early is started again on
// another; a port the caller chose is tried once.
std::unique_ptr<Process> launch(const std::function<std::vector<std::string>(std::uint16_t)>& argv,
                                std::uint16_t& port, std::string* why) {
  const bool any_port = port == 0;
  std::string reason;
  for (int attempt = 0; attempt < (any_port ? 3 : 1); ++attempt) {
    if (any_port) port = unusedLoopbackPort();
    if (port == 0) {
      reason = "no free loopback port";
      continue;
    }
    if (acceptsOnLoopback(port)) {
      reason = fmt::format("port {} is already taken", port);
      continue;
    }
    auto process = std::make_unique<Process>(argv(port), kPythonOptions);
    if (process->pid() <= 0) {
      reason = "fork failed";
      continue;
    }
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline && !process->exitedWithin(50ms)) {
      if (acceptsOnLoopback(port) && listensOn(process->pid(), port)) return process;
    }
    reason = fmt::format("port {}: {}", port, process->wait(1s).describe());
  }
  if (why != nullptr) *why = reason;
  return nullptr;
}

}  // namespace

bool SmtpServer::available() {
  return runProgram({kPython, "-c", "import aiosmtpd"}, kPythonOptions).exit_code == 0;
}

std::unique_ptr<SmtpServer> SmtpServer::start(const stdfs::path& maildir, std::uint16_t port,
                                              std::string* why) {
  auto process = launch(
      [&](std::uint16_t on) {
        return std::vector<std::string>{kPython,
                                        "-m",
                                        "aiosmtpd",
                                        "-n",
                                        "-l",
                                        fmt::format("127.0.0.1:{}", on),
                                        "-c",
                                        "aiosmtpd.handlers.Mailbox",
                                        maildir.string()};
      },
      port, why);
  if (!process) return nullptr;
  return std::unique_ptr<SmtpServer>(new SmtpServer(std::move(process), port, maildir));
}

std::unique_ptr<SmtpServer> SmtpServer::startScript(const std::string& script, std::string* why) {
  std::uint16_t port = 0;
  auto process = launch(
      [&](std::uint16_t on) {
        return std::vector<std::string>{kPython, "-c", script, std::to_string(on)};
      },
      port, why);
  if (!process) return nullptr;
  return std::unique_ptr<SmtpServer>(new SmtpServer(std::move(process), port, {}));
}

SmtpServer::SmtpServer(std::unique_ptr<Process> process, std::uint16_t port, stdfs::path maildir)
    : process_(std::move(process)), port_(port), maildir_(std::move(maildir)) {}

// The Process is killed (SIGKILL) and reaped when it goes.
SmtpServer::~SmtpServer() = default;

std::string SmtpServer::url() const { return fmt::format("smtp://127.0.0.1:{}", port_); }

std::optional<nlohmann::json> SmtpServer::readMaildir(std::string& error) const {
  if (maildir_.empty()) return nlohmann::json::array();
  const RunResult read =
      runProgram({kPython, "-c", kReadMaildir, maildir_.string()}, kPythonOptions, 30s);
  if (read.exit_code != 0) {
    error = read.describe();
    return std::nullopt;
  }
  auto messages = nlohmann::json::parse(read.out, nullptr, /*allow_exceptions=*/false);
  if (!messages.is_array()) {
    error = "not a JSON array: " + read.describe();
    return std::nullopt;
  }
  return messages;
}

nlohmann::json SmtpServer::messages() const {
  std::string error;
  auto messages = readMaildir(error);
  if (!messages) {
    ADD_FAILURE() << "cannot read the Maildir " << maildir_ << ": " << error;
    return nlohmann::json::array();
  }
  return *messages;
}

nlohmann::json SmtpServer::waitForMessages(std::size_t count,
                                           std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    std::string error;
    auto messages = readMaildir(error);
    if (!messages) {
      ADD_FAILURE() << "cannot read the Maildir " << maildir_ << ": " << error;
      return nlohmann::json::array();
    }
    if (messages->size() >= count || std::chrono::steady_clock::now() >= deadline) {
      return *messages;
    }
    std::this_thread::sleep_for(100ms);
  }
}

std::uint16_t unusedLoopbackPort() {
  // Bound to port 0, read back, released.
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in address = loopback(0);
  socklen_t length = sizeof address;
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                     ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  ::close(fd);
  return bound ? ntohs(address.sin_port) : 0;
}

bool acceptsOnLoopback(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const sockaddr_in address = loopback(port);
  const bool connected =
      ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return connected;
}

}  // namespace sc::testing
