// Hands one message to an SMTP server (RFC 5321) with libcurl, for the
// controller's mail outbox. The outbox owns queueing and retries; this file
// only formats a plain-text message (RFC 5322) and sends it once. A send
// that fails after the server may have accepted the data is retried with
// the same Message-ID, so recipients' clients can drop the duplicate.
//
// Addresses are plain addr-specs (ops@example.com), never display names:
// they go into MAIL FROM, RCPT TO and the From/To headers unquoted, so
// anything richer would be a way to inject recipients or headers.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/error.h"

namespace sc::controller::mail {

struct SmtpSettings {
  // "smtp://host:port" or "smtps://host:port"; a bare "host:port" means
  // smtp://. Credentials belong in username/password, never in the URL,
  // which is printed in error messages.
  std::string url;
  std::string from;
  std::vector<std::string> to;
  // AUTH only when username is set; refused over an unencrypted connection.
  std::string username;
  std::string password;
  bool starttls = false;  // require STARTTLS on smtp:// (CURLUSESSL_ALL)
  std::chrono::seconds timeout{30};
  std::string ca_file;  // PEM bundle to verify the server with; empty: the system's
};

struct MailMessage {
  std::string subject;  // UTF-8; control characters become spaces
  std::string body;     // UTF-8 text; any line endings
  // Stable across retries of the same message (see above); "id@domain",
  // or a bare id that gets the sender's domain appended.
  std::string message_id;
  std::int64_t date = 0;  // unix seconds, from the caller's clock
};

// InvalidArgument naming the field at fault ("from", "to[2]", "url",
// "username", "timeout").
Result<void> validateSmtpSettings(const SmtpSettings& settings);

// The message as sent: RFC 5322 headers and an 8bit text/plain body, CRLF
// line endings, no line over 998 octets. `settings` must have passed
// validateSmtpSettings.
std::string formatMessage(const SmtpSettings& settings, const MailMessage& message);

// Validates, formats and sends. Blocks for up to settings.timeout, so it
// belongs on the thread pool, never on the I/O thread. Errors: Timeout
// when the deadline passed, Io for everything else the network or server
// did, both naming the server URL.
Result<void> sendMail(const SmtpSettings& settings, const MailMessage& message);

}  // namespace sc::controller::mail
