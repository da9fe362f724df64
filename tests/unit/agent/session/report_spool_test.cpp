// The agent's report spool (agent/session/report_spool.h): reports come
// back oldest first until acknowledged, the spool is bounded, a damaged
// file is dropped rather than sent, and nothing but a report id ever
// names a file in it.
#include "agent/session/report_spool.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <thread>

#include "common/protocol/report_id.h"
#include "tests/support/test_tree.h"

namespace sc::agent::session {
namespace {

nlohmann::json report(int n) {
  return {{"report_id", protocol::newReportId()}, {"event", "report"}, {"n", n}};
}

TEST(ReportSpool, ReportsComeBackOldestFirstUntilAcknowledged) {
  testing::TempDir dir;
  ReportSpool spool(dir.path() / "reports", 100);
  std::vector<std::string> ids;
  for (int n = 0; n < 4; ++n) {
    auto made = report(n);
    ids.push_back(made["report_id"]);
    ASSERT_TRUE(spool.add(made).has_value());
    std::this_thread::sleep_for(std::chrono::microseconds(2));  // distinct time prefixes
  }
  auto pending = spool.pending();
  ASSERT_EQ(pending.size(), 4u);
  for (int n = 0; n < 4; ++n) EXPECT_EQ(pending[static_cast<std::size_t>(n)]["n"], n);
  spool.acknowledge(ids[1]);
  pending = spool.pending();
  ASSERT_EQ(pending.size(), 3u);
  EXPECT_EQ(pending[1]["n"], 2);
  struct stat st {};
  ASSERT_EQ(::stat((dir.path() / "reports").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat((dir.path() / "reports" / (ids[0] + ".json")).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(ReportSpool, ItIsBoundedByDroppingTheOldest) {
  testing::TempDir dir;
  ReportSpool spool(dir.path() / "reports", 3);
  for (int n = 0; n < 5; ++n) {
    ASSERT_TRUE(spool.add(report(n)).has_value());
    std::this_thread::sleep_for(std::chrono::microseconds(2));
  }
  const auto pending = spool.pending();
  ASSERT_EQ(pending.size(), 3u);
  EXPECT_EQ(pending.front()["n"], 2);
  EXPECT_EQ(pending.back()["n"], 4);
}

TEST(ReportSpool, ADamagedReportIsDroppedNotSent) {
  testing::TempDir dir;
  ReportSpool spool(dir.path() / "reports", 10);
  auto good = report(1);
  ASSERT_TRUE(spool.add(good).has_value());
  const std::string torn = protocol::newReportId();
  std::ofstream(dir.path() / "reports" / (torn + ".json")) << R"({"report_id": ")";
  // A file whose name and content disagree is not trusted either.
  const std::string other = protocol::newReportId();
  std::ofstream(dir.path() / "reports" / (other + ".json")) << report(2).dump();
  const auto pending = spool.pending();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0]["report_id"], good["report_id"]);
  EXPECT_EQ(spool.size(), 1u);
}

TEST(ReportSpool, OnlyReportIdsNameFiles) {
  testing::TempDir dir;
  ReportSpool spool(dir.path() / "reports", 10);
  ASSERT_TRUE(spool.add(report(1)).has_value());
  std::ofstream(dir.path() / "victim.json") << "{}";
  std::ofstream(dir.path() / "reports" / "notes.json") << "{}";
  spool.acknowledge("../victim");
  spool.acknowledge("../victim.json");
  spool.acknowledge("notes");
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "victim.json"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "reports" / "notes.json"));
  EXPECT_EQ(spool.pending().size(), 1u);  // notes.json is not a report
}

}  // namespace
}  // namespace sc::agent::session
