// Reports from scheduled runs (docs/protocol.md, SECURITY.md T-04, T-18,
// T-21): an agent's report is stored once however often it is sent, a
// report id that could name a path is refused without touching the store,
// and reports wait in the agent's spool until the controller has them.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "common/envelope/envelope.h"
#include "common/protocol/frame.h"
#include "common/time/duration.h"
#include "common/time/rfc3339.h"
#include "controller/push/admin_client.h"
#include "tests/integration/session_fixture.h"
#include "tests/integration/smtp_server.h"

namespace sc::testing {
namespace {

using namespace std::chrono_literals;

nlohmann::json driftReport(const std::string& report_id) {
  return {{"report_id", report_id},
          {"trigger", "schedule"},
          {"stale", false},
          {"serial", 7},
          {"ran_at", 1795669200},
          {"event", "report"},
          {"exit_code", 0},
          {"report",
           {{"check", true},
            {"recap", {{"ok", 3}, {"would_change", 1}}},
            {"resources",
             {{{"id", "copy-1"},
               {"title", "/etc/motd"},
               {"outcome", "would_change"},
               {"changes", {{{"field", "content"}}}}}}}}}};
}

nlohmann::json storedReports(const stdfs::path& database, const std::string& host = "") {
  std::vector<std::string> argv = {SC_SCCTL_BIN, "reports", "--db", database.string(),
                                   "--json",     "--limit", "1000"};
  if (!host.empty()) argv.insert(argv.end(), {"--host", host});
  const RunResult listed = runProgram(argv);
  EXPECT_EQ(listed.exit_code, 0) << listed.describe();
  return nlohmann::json::parse(listed.out, nullptr, false);
}

// T-18: the same report three times (a resend after a lost
// acknowledgement, or a replay) is acknowledged each time and stored once.
TEST_F(PushTest, AReportSentThreeTimesIsStoredOnce) {
  auto agent = impersonateWeb1();
  ASSERT_TRUE(agent->handshakeOk());
  const std::string id = "0000018c2d3e4f5a1b2c3d4e5f607182";
  int acks = 0;
  for (int i = 0; i < 3; ++i) {
    agent->send(protocol::MessageType::Report, driftReport(id));
    while (auto frame = agent->next()) {
      if (frame->type != protocol::MessageType::Ack) continue;
      EXPECT_EQ(nlohmann::json::parse(frame->body).value("report_id", ""), id);
      ++acks;
      break;
    }
  }
  EXPECT_EQ(acks, 3);
  const auto stored = storedReports(database(), "web1");
  ASSERT_TRUE(stored.is_array()) << stored.dump();
  ASSERT_EQ(stored.size(), 1u) << stored.dump(2);
  EXPECT_EQ(stored[0].value("report_id", ""), id);
  EXPECT_EQ(stored[0].value("trigger", ""), "schedule");
  EXPECT_EQ(stored[0].value("changed", -1), 1);
  EXPECT_TRUE(stored[0].value("check", false));
  // The identity is the session's: the report is web1's whatever it says.
  EXPECT_EQ(stored[0].value("host", ""), "web1");
  EXPECT_EQ(storedReports(database()).size(), 1u);
  // `scctl hosts` shows the serial the host last reported.
  const auto hosts = nlohmann::json::parse(hostsJson().out, nullptr, false);
  ASSERT_TRUE(hosts.is_array()) << hosts;
  for (const auto& host : hosts) {
    if (host.value("host", "") == "web1") {
      EXPECT_EQ(host.value("last_serial", 0u), 7u) << host;
    } else {
      EXPECT_FALSE(host.contains("last_serial")) << host;
    }
  }
}

// T-21: report ids that would be paths, encoded paths, or merely not the
// agent's form are refused; the session ends, the store's directory is
// byte for byte what it was, and the other hosts' sessions go on.
TEST_F(PushTest, ReportIdsThatCouldNameAPathAreRefusedAndTouchNothing) {
  auto first = impersonateWeb1();
  first->send(protocol::MessageType::Report, driftReport("0000018c2d3e4f5a1b2c3d4e5f607182"));
  // Acknowledged: the store exists, with one report.
  bool acked = false;
  while (auto frame = first->next()) {
    if ((acked = frame->type == protocol::MessageType::Ack)) break;
  }
  ASSERT_TRUE(acked);
  first.reset();
  const std::string before = treeDigest(database().parent_path());
  const std::vector<std::string> hostile = {
      "../x",
      "%2e%2e/x",
      "%252e%252e%252fx",
      "/etc/passwd",
      std::string("0000018c2d3e4f5a\0../../etc/x", 29),
      std::string(4096, 'a'),
      "0000018c2d3e4f5a1b2c3d4e5f60718",              // 31 digits
      "0000018C2D3E4F5A1B2C3D4E5F607182",             // upper case
      "0000018c2d3e4f5a1b2c3d4e5f60718\xef\xbc\x92",  // fullwidth 2, a look-alike
      "0000018c2d3e4f5a1b2c3d4e5f60718/",
  };
  for (const auto& id : hostile) {
    RawClient agent(port_, agentIdentity("web1"));
    agent.send(protocol::MessageType::Hello, hello("web1"));
    agent.send(protocol::MessageType::Report, driftReport(id));
    const auto refusal = agent.closingError();
    EXPECT_EQ(refusal.value("reason", ""), "protocol_error") << id;
    EXPECT_NE(refusal.value("message", "").find("report_id"), std::string::npos) << refusal;
  }
  // A report id of another type altogether.
  {
    RawClient agent(port_, agentIdentity("web1"));
    agent.send(protocol::MessageType::Hello, hello("web1"));
    auto numeric = driftReport("x");
    numeric["report_id"] = 42;
    agent.send(protocol::MessageType::Report, numeric);
    EXPECT_NE(agent.closingError().value("message", "").find("report_id"), std::string::npos);
  }
  EXPECT_TRUE(treeDigest(database().parent_path()) == before) << "the store changed";
  EXPECT_EQ(storedReports(database()).size(), 1u);
  // web2 kept its session all along and still takes a push.
  const RunResult applied = apply({"-l", "web2"});
  EXPECT_EQ(applied.exit_code, 0) << applied.describe();
}

// Agents that run the last applied manifest every second and report to a
// controller that mails ops through a real SMTP server (smtp_server.h).
class ScheduledRunTest : public PushTest {
 protected:
  void SetUp() override {
    if (!SmtpServer::available()) {
      GTEST_SKIP() << "python3-aiosmtpd is not installed (scripts/setup.sh installs it)";
    }
    smtp_port_ = unusedLoopbackPort();
    ASSERT_NE(smtp_port_, 0);
    if (smtp_up_at_start_) startSmtp();
    controller_extra_ = {"--smtp",       fmt::format("smtp://127.0.0.1:{}", smtp_port_),
                         "--mail-to",    "ops@example.com",
                         "--mail-retry", "1"};
    agent_extra_ = {"--run-interval", "1", "--run-mode", "enforce"};
    PushTest::SetUp();
  }

  void startSmtp() {
    std::string why;
    smtp_ = SmtpServer::start(dir_.path() / "maildir", smtp_port_, &why);
    ASSERT_NE(smtp_, nullptr) << why;
  }

  // web1's manifest (its motd), signed as issued `issued` and expiring
  // at `expires` (Unix seconds), with `serial`.
  std::string craftEnvelope(std::int64_t issued, std::int64_t expires, std::uint64_t serial) {
    const auto out = dir_.path() / "manifests";
    writeFile(dir_.path() / "motd.yml",
              "- hosts: web1\n  tasks:\n"
              "    - copy:\n        content: \"{{ inventory_hostname }}\\n\"\n"
              "        dest: /etc/motd\n");
    const RunResult compiled =
        runProgram({SC_SCCTL_BIN, "compile", (dir_.path() / "motd.yml").string(), "-i",
                    (dir_.path() / "hosts.ini").string(), "-o", out.string()});
    EXPECT_EQ(compiled.exit_code, 0) << compiled.describe();
    auto manifest = nlohmann::json::parse(*readFile(out / "web1.json"));
    auto key = envelope::PrivateKey::fromPemFile(keyPath());
    EXPECT_TRUE(key.has_value());
    manifest["serial"] = serial;
    manifest["issued_at"] = time::formatRfc3339(issued);
    manifest["expires_at"] = time::formatRfc3339(expires);
    manifest["key_id"] = key->publicKey().id();
    return envelope::serialize(
        envelope::seal(std::string(envelope::kManifestPayloadType), manifest.dump(), *key));
  }

  // The agent's answer to a push of `text` to web1.
  nlohmann::json push(const std::string& text) {
    auto admin = controller::push::AdminClient::connect(adminSocket().string());
    EXPECT_TRUE(admin.has_value());
    if (!admin) return {};
    EXPECT_TRUE(admin->send({{"op", "push"}, {"host", "web1"}, {"envelope", text}}));
    for (;;) {
      auto event = admin->next(30s);
      if (!event) return {{"error", event.error().describe()}};
      if (event->value("event", "") != "progress") return event->value("result", nlohmann::json());
    }
  }

  // Polls the store until `wanted` holds for one of web1's scheduled
  // reports; returns that report (null when none came in `timeout`).
  nlohmann::json waitForReport(const std::function<bool(const nlohmann::json&)>& wanted,
                               std::chrono::seconds timeout = 40s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      const auto stored = storedReports(database(), "web1");
      for (const auto& report : stored) {
        if (report.value("trigger", "") == "schedule" && wanted(report)) return report;
      }
      std::this_thread::sleep_for(200ms);
    }
    return nullptr;
  }

  // Waits for a mail whose subject contains `text`.
  bool waitForMail(const std::string& text, std::chrono::seconds timeout = 40s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (smtp_ && std::chrono::steady_clock::now() < deadline) {
      for (const auto& mail : smtp_->messages()) {
        if (mail.value("subject", "").find(text) != std::string::npos) return true;
      }
      std::this_thread::sleep_for(200ms);
    }
    return false;
  }

  bool smtp_up_at_start_ = true;
  std::uint16_t smtp_port_ = 0;
  std::unique_ptr<SmtpServer> smtp_;
};

// T-04: a manifest valid for an hour, applied a moment before it expires.
// While valid, the agent's scheduled runs correct a hand edit and ops are
// mailed the drift; once expired, it is never admitted again (offered
// anew, it is refused `expired`), yet the host keeps enforcing it, every
// report from then on says stale, and ops are mailed that it expired.
TEST_F(ScheduledRunTest, AnExpiredManifestIsStillEnforcedAndEveryReportSaysStale) {
  const std::int64_t now = time::unixNow();
  // Expired, by the agent's rules (five minutes of clock tolerance), 15 s
  // from now.
  const std::int64_t expires = now - 300 + 15;
  const std::int64_t stale_from = expires + 300;
  const std::string text = craftEnvelope(expires - 3600, expires, 4242);
  const auto applied = push(text);
  ASSERT_EQ(applied.value("event", ""), "report") << applied.dump();
  const auto motd = rootOf("web1") / "etc" / "motd";
  const std::string desired = *readFile(motd);

  writeFile(motd, "edited by hand\n");
  EXPECT_TRUE(waitForMail("web1: 1 drifted and corrected")) << stopController().describe();
  EXPECT_EQ(*readFile(motd), desired);

  const auto first_stale =
      waitForReport([](const nlohmann::json& report) { return report.value("stale", false); });
  ASSERT_FALSE(first_stale.is_null()) << stopController().describe();
  EXPECT_EQ(first_stale.value("serial", 0u), 4242u);
  EXPECT_TRUE(waitForMail("web1: manifest expired"));

  // Offered again after its expiry: refused, nothing written.
  writeFile(motd, "edited again\n");
  const auto offered = push(text);
  EXPECT_EQ(offered.value("event", ""), "refused") << offered.dump();
  EXPECT_EQ(offered.value("reason", ""), "expired") << offered.dump();
  // ...while the scheduled runs still enforce it.
  const auto corrected = waitForReport([&](const nlohmann::json& report) {
    return report.value("stale", false) && report.value("changed", 0) > 0;
  });
  ASSERT_FALSE(corrected.is_null());
  EXPECT_EQ(*readFile(motd), desired);

  // Every scheduled report that ran after the expiry says stale (two
  // seconds after it: a run that started just before may end just after).
  const auto ranAfterExpiry = [&](const nlohmann::json& report) {
    const auto ran_at = time::parseRfc3339(report.value("ran_at", ""));
    return ran_at && *ran_at >= stale_from + 2;
  };
  ASSERT_FALSE(waitForReport(ranAfterExpiry).is_null());
  int after = 0;
  for (const auto& report : storedReports(database(), "web1")) {
    if (report.value("trigger", "") != "schedule") continue;
    const auto ran_at = time::parseRfc3339(report.value("ran_at", ""));
    ASSERT_TRUE(ran_at.has_value());
    if (*ran_at < stale_from + 2) continue;
    ++after;
    EXPECT_TRUE(report.value("stale", false)) << report.dump();
  }
  EXPECT_GT(after, 0);
}

// A dead SMTP server loses nothing: the mail waits in the outbox, tried
// again, until a server takes it.
class DeadSmtpTest : public ScheduledRunTest {
 protected:
  DeadSmtpTest() { smtp_up_at_start_ = false; }
};

TEST_F(DeadSmtpTest, MailWaitsInTheOutboxUntilTheServerIsBack) {
  auto agent = impersonateWeb1();
  agent->send(protocol::MessageType::Report, driftReport("0000018c2d3e4f5a1b2c3d4e5f607182"));
  bool acked = false;
  while (auto frame = agent->next()) {
    if ((acked = frame->type == protocol::MessageType::Ack)) break;
  }
  ASSERT_TRUE(acked);
  std::this_thread::sleep_for(2500ms);  // a few attempts against nothing
  startSmtp();
  EXPECT_TRUE(waitForMail("[smartcookies] web1: 1 drifted"));
  const auto mails = smtp_->messages();
  EXPECT_EQ(mails.size(), 1u) << mails.dump(2);
  const RunResult log = stopController();
  EXPECT_NE(log.err.find("not sent"), std::string::npos) << log.describe();
}

// Reports made while the controller is away wait in the agent's spool and
// arrive, each stored once, when it is back.
TEST_F(ScheduledRunTest, ReportsWaitInTheSpoolWhileTheControllerIsAway) {
  const std::int64_t now = time::unixNow();
  ASSERT_EQ(push(craftEnvelope(now, now + 3600, 77)).value("event", ""), "report");
  stopController();
  const auto spool = stateOf("web1") / "reports";
  std::set<std::string> spooled;
  for (int i = 0; i < 100 && spooled.size() < 3; ++i) {
    std::this_thread::sleep_for(100ms);
    spooled.clear();
    std::error_code ec;
    for (const auto& entry : stdfs::directory_iterator(spool, ec)) {
      spooled.insert(entry.path().stem().string());
    }
  }
  ASSERT_GE(spooled.size(), 3u);
  startController();
  for (int i = 0; i < 200; ++i) {
    std::error_code ec;
    if (stdfs::is_empty(spool, ec)) break;
    std::this_thread::sleep_for(100ms);
  }
  std::map<std::string, int> stored;
  for (const auto& report : storedReports(database(), "web1")) {
    if (report.contains("report_id")) ++stored[report.value("report_id", "")];
  }
  for (const auto& id : spooled) EXPECT_EQ(stored[id], 1) << id;
}

}  // namespace
}  // namespace sc::testing
