// Reports agents send on their own (controller/reports/agent_report.h):
// decoded strictly (SECURITY.md T-19, T-21), and the mail ops get: drift,
// failures and the first report after a manifest expired (T-04), each
// once, with what the agent said escaped.
#include "controller/reports/agent_report.h"

#include <gtest/gtest.h>

namespace sc::controller::reports {
namespace {

using nlohmann::json;

json message(bool check = true, int drifted = 1, bool stale = false) {
  json resources = json::array();
  for (int i = 0; i < drifted; ++i) {
    resources.push_back({{"id", fmt::format("copy-{}", i)},
                         {"title", fmt::format("/etc/app/{}.conf", i)},
                         {"outcome", check ? "would_change" : "changed"},
                         {"changes", {{{"field", "content"}}, {{"field", "mode"}}}}});
  }
  resources.push_back({{"id", "ok-1"}, {"title", "/etc/motd"}, {"outcome", "ok"}});
  return {{"report_id", "0000018c2d3e4f5a1b2c3d4e5f607182"},
          {"trigger", "schedule"},
          {"stale", stale},
          {"serial", 12},
          {"ran_at", 1795669200},
          {"event", "report"},
          {"exit_code", 0},
          {"report",
           {{"check", check},
            {"recap", {{"ok", 1}, {check ? "would_change" : "changed", drifted}}},
            {"resources", resources}}}};
}

TEST(AgentReport, AWellFormedReportIsDecodedUnderTheSessionsHost) {
  auto row = decodeAgentReport("web1", message(), 1795669300);
  ASSERT_TRUE(row.has_value()) << row.error().describe();
  EXPECT_EQ(row->host, "web1");
  EXPECT_EQ(row->report_id, "0000018c2d3e4f5a1b2c3d4e5f607182");
  EXPECT_EQ(row->trigger, "schedule");
  EXPECT_TRUE(row->check);
  EXPECT_FALSE(row->stale);
  EXPECT_EQ(row->serial, 12u);
  EXPECT_EQ(row->changed, 1);
  EXPECT_EQ(row->ran_at, 1795669200);
  EXPECT_EQ(row->received_at, 1795669300);
  EXPECT_EQ(json::parse(row->body), message());
}

TEST(AgentReport, FieldsOfAnotherTypeAreRefusedByName) {
  const std::vector<std::pair<std::string, json>> cases = {
      {"report_id", nullptr}, {"report_id", "../../x"}, {"report_id", 7}, {"trigger", "push"},
      {"stale", "yes"},       {"serial", -1},           {"serial", "12"}, {"ran_at", 1.5},
      {"event", "refused"},   {"report", "text"},
  };
  for (const auto& [field, value] : cases) {
    json bad = message();
    if (value.is_null()) {
      bad.erase(field);
    } else {
      bad[field] = value;
    }
    auto row = decodeAgentReport("web1", bad, 0);
    ASSERT_FALSE(row.has_value()) << field << " = " << value;
    EXPECT_EQ(row.error().code(), ErrorCode::InvalidArgument);
  }
  json bad_count = message();
  bad_count["report"]["recap"]["would_change"] = "1";
  EXPECT_FALSE(decodeAgentReport("web1", bad_count, 0).has_value());
}

TEST(AgentReport, DriftIsMailedOnceWithWhatDrifted) {
  const auto first = *decodeAgentReport("web1", message(true, 2), 100);
  const auto mail = alertFor(first, std::nullopt, 100);
  ASSERT_TRUE(mail.has_value());
  EXPECT_EQ(mail->subject, "[smartcookies] web1: 2 drifted");
  EXPECT_NE(mail->body.find("/etc/app/0.conf: would_change (content, mode)"), std::string::npos)
      << mail->body;
  EXPECT_NE(mail->body.find("/etc/app/1.conf"), std::string::npos);
  EXPECT_EQ(mail->body.find("/etc/motd"), std::string::npos) << "an ok resource is not news";
  EXPECT_EQ(mail->created_at, 100);
  // The same drift in the next run is not news either.
  EXPECT_FALSE(alertFor(first, digestOf(first), 200).has_value());
  // Other drift is.
  const auto more = *decodeAgentReport("web1", message(true, 3), 300);
  EXPECT_TRUE(alertFor(more, digestOf(first), 300).has_value());
  // Nothing drifted: nothing to say.
  const auto clean = *decodeAgentReport("web1", message(true, 0), 400);
  EXPECT_FALSE(alertFor(clean, digestOf(first), 400).has_value());
}

TEST(AgentReport, AnEnforcingRunSaysItCorrected) {
  const auto row = *decodeAgentReport("web1", message(false, 1), 100);
  const auto mail = alertFor(row, std::nullopt, 100);
  ASSERT_TRUE(mail.has_value());
  EXPECT_EQ(mail->subject, "[smartcookies] web1: 1 drifted and corrected");
}

TEST(AgentReport, TheFirstStaleReportIsMailedThenNoMore) {
  const auto fresh = *decodeAgentReport("web1", message(true, 0), 100);
  const auto stale = *decodeAgentReport("web1", message(true, 0, true), 200);
  const auto mail = alertFor(stale, digestOf(fresh), 200);
  ASSERT_TRUE(mail.has_value());
  EXPECT_EQ(mail->subject, "[smartcookies] web1: manifest expired");
  EXPECT_NE(mail->body.find("has expired"), std::string::npos);
  EXPECT_FALSE(alertFor(stale, digestOf(stale), 300).has_value());
}

TEST(AgentReport, WhatTheAgentSaysIsEscapedInTheMail) {
  json hostile = message(true, 1);
  hostile["report"]["resources"][0]["title"] = "x\r\nBcc: everyone@example.com\x1b[2J";
  const auto row = *decodeAgentReport("web1", hostile, 100);
  const auto mail = alertFor(row, std::nullopt, 100);
  ASSERT_TRUE(mail.has_value());
  EXPECT_EQ(mail->body.find("\r\nBcc"), std::string::npos) << mail->body;
  EXPECT_EQ(mail->body.find('\x1b'), std::string::npos) << mail->body;
}

TEST(AgentReport, APushedRunsResultIsStoredWithoutAnId) {
  const json result = {{"push_id", 3},
                       {"event", "report"},
                       {"exit_code", 1},
                       {"report", {{"serial", 44}, {"recap", {{"changed", 2}, {"failed", 1}}}}}};
  const auto row = pushedRunReport("web2", result, 500);
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->trigger, "push");
  EXPECT_TRUE(row->report_id.empty());
  EXPECT_EQ(row->serial, 44u);
  EXPECT_EQ(row->changed, 2);
  EXPECT_EQ(row->failed, 1);
  EXPECT_EQ(row->exit_code, 1);
  EXPECT_FALSE(pushedRunReport("web2", {{"event", "refused"}, {"reason", "expired"}}, 500));
}

}  // namespace
}  // namespace sc::controller::reports
