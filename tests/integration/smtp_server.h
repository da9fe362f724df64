// A real SMTP server for the integration tests: Debian's aiosmtpd on a
// loopback port, keeping every message it accepts in a Maildir. What
// arrived is read back with Python's email package, an independent
// RFC 5322 / RFC 2047 reader, so the sender's own encoding never grades
// itself.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace sc::testing {

class Process;

// A real SMTP server for tests: Debian's aiosmtpd on a loopback port, keeping
// every message it accepts in a Maildir.
class SmtpServer {
 public:
  // Whether python3-aiosmtpd is installed (tests GTEST_SKIP without it).
  static bool available();
  // Starts aiosmtpd storing into `maildir` on `port` (0: a free port, retried
  // on another if taken between probe and bind), and waits until it accepts
  // connections. Null (with the reason in *why) when it did not start.
  static std::unique_ptr<SmtpServer> start(const std::filesystem::path& maildir,
                                           std::uint16_t port = 0, std::string* why = nullptr);
  // A stand-in server with behavior of its own: `python3 -c script PORT` on a
  // free port (aiosmtpd importable), started and awaited like start(). It
  // keeps no Maildir: messages() is always empty.
  static std::unique_ptr<SmtpServer> startScript(const std::string& script,
                                                 std::string* why = nullptr);
  ~SmtpServer();  // stops it
  SmtpServer(const SmtpServer&) = delete;
  SmtpServer& operator=(const SmtpServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url() const;  // "smtp://127.0.0.1:PORT"
  // Every stored message, decoded by Python's email package:
  // [{subject, headers, date, message_id, mail_from, rcpt_to, raw}], oldest
  // first (by file name). A failure to read them fails the current test.
  nlohmann::json messages() const;
  // Polls messages() until at least `count` are stored or `timeout` passes;
  // returns what is there.
  nlohmann::json waitForMessages(std::size_t count, std::chrono::milliseconds timeout) const;

 private:
  SmtpServer(std::unique_ptr<Process> process, std::uint16_t port, std::filesystem::path maildir);
  // The stored messages, or nullopt with the reason in `error`.
  std::optional<nlohmann::json> readMaildir(std::string& error) const;

  std::unique_ptr<Process> process_;
  std::uint16_t port_;
  std::filesystem::path maildir_;  // empty for startScript()
};

// A loopback TCP port nothing listens on right now (0 if none was found).
std::uint16_t unusedLoopbackPort();
// Whether something accepts TCP connections on 127.0.0.1:port.
bool acceptsOnLoopback(std::uint16_t port);

}  // namespace sc::testing
