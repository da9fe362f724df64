// The controller's SMTP sender against a real SMTP server: Debian's
// aiosmtpd on a loopback port, keeping every message it accepts in a
// Maildir (tests/integration/smtp_server.h). What arrived is read back with
// Python's email package, an independent RFC 5322 / RFC 2047 reader, so the
// sender's own encoding never grades itself.
#include "controller/mail/smtp_sender.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "tests/integration/smtp_server.h"
#include "tests/support/test_tree.h"

namespace sc::testing {
namespace {

namespace stdfs = std::filesystem;
using namespace std::chrono_literals;
using controller::mail::MailMessage;
using controller::mail::SmtpSettings;

// Refuses every recipient, as a server with no such mailbox does.
constexpr const char* kRefusingServer = R"(
import sys, threading
from aiosmtpd.controller import Controller
class Refuse:
    async def handle_RCPT(self, server, session, envelope, address, options):
        return '550 5.1.1 <%s>: no such user here' % address
Controller(Refuse(), hostname='127.0.0.1', port=int(sys.argv[1])).start()
threading.Event().wait()
)";

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

class SmtpSenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!SmtpServer::available()) {
      GTEST_SKIP() << "python3-aiosmtpd is not installed (scripts/setup.sh installs it)";
    }
  }

  void startMaildirServer() {
    std::string why;
    server_ = SmtpServer::start(maildir(), 0, &why);
    ASSERT_TRUE(server_) << "the SMTP server did not start: " << why;
    port_ = server_->port();
  }

  void startScriptServer(const std::string& script) {
    std::string why;
    server_ = SmtpServer::startScript(script, &why);
    ASSERT_TRUE(server_) << "the SMTP server did not start: " << why;
    port_ = server_->port();
  }

  SmtpSettings settings() const {
    SmtpSettings settings;
    settings.url = fmt::format("smtp://127.0.0.1:{}", port_);
    settings.from = "controller@example.com";
    settings.to = {"ops@example.com", "oncall@example.org"};
    settings.timeout = 10s;
    return settings;
  }

  stdfs::path maildir() const { return tmp_.path() / "maildir"; }

  TempDir tmp_;
  std::uint16_t port_ = 0;
  std::unique_ptr<SmtpServer> server_;
};

// The body as the Maildir holds it: everything after the first blank line.
// Python's mailbox stores lines with LF, so CRLF on the wire reads as LF.
std::string bodyOf(const std::string& raw) {
  const auto blank = raw.find("\n\n");
  return blank == std::string::npos ? std::string() : raw.substr(blank + 2);
}

TEST_F(SmtpSenderTest, AMessageArrivesWithItsSubjectDecodedAndItsBodyIntact) {
  ASSERT_NO_FATAL_FAILURE(startMaildirServer());
  MailMessage message;
  message.subject =
      "Drift on wëb1 — 3 resources changed ✓ in play 'site.yml' for the production inventory";
  // A 2,000-octet line whose first cut would fall inside 'é'.
  const std::string long_line = std::string(997, 'a') + "é" + std::string(1001, 'b');
  ASSERT_EQ(long_line.size(), 2000u);
  message.body = "Changes:\n.\n..starts with two dots\r\nold Mac ending\r" + long_line + "\nend";
  message.message_id = "outbox-42@controller.example.com";
  message.date = 1700000000;
  const auto sent = controller::mail::sendMail(settings(), message);
  ASSERT_TRUE(sent) << sent.error().describe();

  const nlohmann::json stored = server_->messages();
  ASSERT_TRUE(stored.is_array() && stored.size() == 1) << stored.dump(2);
  const nlohmann::json& mail = stored[0];
  EXPECT_EQ(mail["subject"], message.subject);
  EXPECT_EQ(mail["date"], 1700000000);
  EXPECT_EQ(mail["message_id"], "<outbox-42@controller.example.com>");
  EXPECT_EQ(mail["mail_from"], "controller@example.com");
  EXPECT_EQ(mail["rcpt_to"], "ops@example.com, oncall@example.org");
  const auto raw = mail["raw"].get<std::string>();
  // Without SMTPUTF8 (RFC 6532) headers must be ASCII: the subject went as
  // encoded-words, which is what the reader above decoded.
  const std::string headers = raw.substr(0, raw.find("\n\n"));
  EXPECT_TRUE(std::all_of(headers.begin(), headers.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x80;
  })) << headers;
  EXPECT_NE(raw.find("Date: Tue, 14 Nov 2023 22:13:20 +0000\n"), std::string::npos) << raw;
  // The lone "." did not end DATA early and ".." kept both dots: libcurl
  // stuffed them and the server took the extra dot off again.
  EXPECT_EQ(bodyOf(raw), "Changes:\n.\n..starts with two dots\nold Mac ending\n" +
                             std::string(997, 'a') + "\né" + std::string(996, 'b') +
                             "\nbbbbb\nend\n");
}

TEST_F(SmtpSenderTest, ALineBreakInTheSubjectCannotAddAHeader) {
  ASSERT_NO_FATAL_FAILURE(startMaildirServer());
  SmtpSettings only_ops = settings();
  only_ops.to = {"ops@example.com"};
  MailMessage message;
  message.subject = "Disk full\r\nBcc: x@y";
  message.body = "df says 100%\n";
  message.message_id = "outbox-43";
  const auto sent = controller::mail::sendMail(only_ops, message);
  ASSERT_TRUE(sent) << sent.error().describe();

  const nlohmann::json stored = server_->messages();
  ASSERT_TRUE(stored.is_array() && stored.size() == 1) << stored.dump(2);
  const nlohmann::json& mail = stored[0];
  EXPECT_EQ(mail["subject"], "Disk full  Bcc: x@y");
  for (const auto& header : mail["headers"]) {
    EXPECT_NE(header.get<std::string>().substr(0, 3), "Bcc") << mail["raw"];
  }
  EXPECT_EQ(mail["rcpt_to"], "ops@example.com");
  EXPECT_EQ(mail["message_id"], "<outbox-43@example.com>");
}

TEST_F(SmtpSenderTest, NothingListeningFailsQuicklyNamingTheServer) {
  SmtpSettings settings = this->settings();
  settings.url = fmt::format("127.0.0.1:{}", unusedLoopbackPort());
  settings.timeout = 5s;
  const auto started = std::chrono::steady_clock::now();
  const auto sent = controller::mail::sendMail(settings, MailMessage{"s", "b", "id", 0});
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code(), ErrorCode::Io);
  EXPECT_NE(sent.error().message().find("smtp://" + settings.url), std::string::npos)
      << sent.error().describe();
  EXPECT_LT(took, 5s);
}

// A server that takes the connection and never greets: the deadline ends
// the exchange, reported as a timeout rather than as a refusal.
TEST_F(SmtpSenderTest, ASilentServerIsATimeout) {
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address = loopback(0);
  socklen_t length = sizeof address;
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
  ASSERT_EQ(::listen(listener, 1), 0);  // the kernel accepts; nobody ever answers
  port_ = ntohs(address.sin_port);
  SmtpSettings settings = this->settings();
  settings.timeout = 1s;
  const auto started = std::chrono::steady_clock::now();
  const auto sent = controller::mail::sendMail(settings, MailMessage{"s", "b", "id", 0});
  const auto took = std::chrono::steady_clock::now() - started;
  ::close(listener);
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code(), ErrorCode::Timeout) << sent.error().describe();
  EXPECT_NE(sent.error().message().find(settings.url), std::string::npos);
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 5s);
}

TEST_F(SmtpSenderTest, ARefusedRecipientIsAnErrorWithTheServersReply) {
  ASSERT_NO_FATAL_FAILURE(startScriptServer(kRefusingServer));
  const auto sent = controller::mail::sendMail(settings(), MailMessage{"s", "b", "id", 0});
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code(), ErrorCode::Io);
  EXPECT_EQ(sent.error().message(),
            fmt::format("the SMTP server smtp://127.0.0.1:{} refused the message: 550 5.1.1 "
                        "<ops@example.com>: no such user here",
                        port_));
  EXPECT_NE(sent.error().cause().find("550"), std::string::npos) << sent.error().describe();
}

TEST(SmtpSettingsTest, OnlyPlainAddressesAndSmtpUrlsAreAccepted) {
  SmtpSettings good;
  good.url = "mail.example.com:25";
  good.from = "controller@example.com";
  good.to = {"ops@example.com", "o'neil+alerts@mail.example.org"};
  ASSERT_TRUE(controller::mail::validateSmtpSettings(good));

  const auto rejected = [&](const SmtpSettings& settings, const std::string& field) {
    const auto valid = controller::mail::validateSmtpSettings(settings);
    if (valid) return ::testing::AssertionFailure() << "accepted";
    if (valid.error().code() != ErrorCode::InvalidArgument ||
        valid.error().message().find("'" + field + "'") != 0) {
      return ::testing::AssertionFailure() << valid.error().describe();
    }
    return ::testing::AssertionSuccess() << valid.error().describe();
  };
  for (const std::string bad : {"a@b>, c@d", "", "x\r\n@y", "Ops <ops@example.com>", "ops"}) {
    SmtpSettings to = good;
    to.to[1] = bad;
    EXPECT_TRUE(rejected(to, "to[1]")) << "to: '" << bad << "'";
    SmtpSettings from = good;
    from.from = bad;
    EXPECT_TRUE(rejected(from, "from")) << "from: '" << bad << "'";
  }
  SmtpSettings nobody = good;
  nobody.to.clear();
  EXPECT_TRUE(rejected(nobody, "to"));
  for (const std::string url : {"http://mail.example.com", "smtp://", "smtp://u:hunter2@h:25"}) {
    SmtpSettings settings = good;
    settings.url = url;
    EXPECT_TRUE(rejected(settings, "url")) << url;
  }
  SmtpSettings credentials = good;
  credentials.url = "smtp://u:hunter2@h:25";
  const auto refused = controller::mail::validateSmtpSettings(credentials);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().describe().find("hunter2"), std::string::npos);
  SmtpSettings clear_text = good;
  clear_text.username = "controller";
  EXPECT_TRUE(rejected(clear_text, "username"));
  clear_text.starttls = true;
  EXPECT_TRUE(controller::mail::validateSmtpSettings(clear_text));
}

}  // namespace
}  // namespace sc::testing
