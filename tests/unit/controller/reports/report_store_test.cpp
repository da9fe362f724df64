// The report store (controller/reports/report_store.h): a report is stored
// once per (host, id) however often it arrives (SECURITY.md T-18), ids are
// accepted only in their strict form (T-21), and the outbox keeps a mail
// until it is marked sent, across reopening.
#include "controller/reports/report_store.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/support/test_tree.h"

namespace sc::controller::reports {
namespace {

StoredReport report(const std::string& host, const std::string& id) {
  StoredReport row;
  row.report_id = id;
  row.host = host;
  row.trigger = "schedule";
  row.check = true;
  row.serial = 9;
  row.changed = 2;
  row.ran_at = 1000;
  row.received_at = 1001;
  row.body = R"({"event":"report"})";
  return row;
}

constexpr const char* kId = "0000018c2d3e4f5a1b2c3d4e5f607182";

TEST(ReportStore, AReportIsStoredOncePerHostAndId) {
  testing::TempDir dir;
  auto store = ReportStore::open(dir.path() / "store" / "controller.db");
  ASSERT_TRUE(store.has_value()) << store.error().describe();
  EXPECT_EQ(*store->add(report("web1", kId), std::nullopt), Insertion::Stored);
  EXPECT_EQ(*store->add(report("web1", kId), std::nullopt), Insertion::Duplicate);
  EXPECT_EQ(*store->add(report("web1", kId), std::nullopt), Insertion::Duplicate);
  // Another host's id space is its own: it cannot shadow web1's reports.
  EXPECT_EQ(*store->add(report("web2", kId), std::nullopt), Insertion::Stored);
  // Pushed runs carry no id: each is its own report.
  EXPECT_EQ(*store->add(report("web1", ""), std::nullopt), Insertion::Stored);
  EXPECT_EQ(*store->add(report("web1", ""), std::nullopt), Insertion::Stored);
  EXPECT_EQ(store->list("", 100, false)->size(), 4u);
  const auto web1 = store->list("web1", 100, true);
  ASSERT_EQ(web1->size(), 3u);
  EXPECT_EQ(web1->back().report_id, kId);  // newest first
  EXPECT_EQ(web1->back().changed, 2);
  EXPECT_EQ(web1->back().body, R"({"event":"report"})");
  // The store and its directory are the controller's alone.
  struct stat st {};
  ASSERT_EQ(::stat((dir.path() / "store" / "controller.db").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((dir.path() / "store").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST(ReportStore, ADuplicateQueuesNoSecondMail) {
  testing::TempDir dir;
  auto store = ReportStore::open(dir.path() / "controller.db");
  ASSERT_TRUE(store.has_value());
  OutgoingMail mail{0, "[smartcookies] web1: 2 drifted", "body", "id@smartcookies", 1000, 0, ""};
  EXPECT_EQ(*store->add(report("web1", kId), mail), Insertion::Stored);
  EXPECT_EQ(*store->add(report("web1", kId), mail), Insertion::Duplicate);
  EXPECT_EQ(*store->outboxSize(), 1);
}

TEST(ReportStore, TheOutboxKeepsMailUntilItIsSentAcrossReopening) {
  testing::TempDir dir;
  const auto path = dir.path() / "controller.db";
  std::int64_t id = 0;
  {
    auto store = ReportStore::open(path);
    ASSERT_TRUE(store.has_value());
    OutgoingMail mail{0, "subject", "body", "m1@smartcookies", 1000, 0, ""};
    ASSERT_TRUE(store->add(report("web1", kId), mail).has_value());
    auto due = store->dueMail(1000, 10);
    ASSERT_EQ(due->size(), 1u);
    id = (*due)[0].id;
    // The server refused it: not due again before the retry time.
    ASSERT_TRUE(store->markFailed(id, "connection refused", 1060).has_value());
    EXPECT_TRUE(store->dueMail(1059, 10)->empty());
  }
  auto store = ReportStore::open(path);
  ASSERT_TRUE(store.has_value());
  auto due = store->dueMail(1060, 10);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].attempts, 1);
  EXPECT_EQ((*due)[0].last_error, "connection refused");
  EXPECT_EQ((*due)[0].subject, "subject");
  ASSERT_TRUE(store->markSent(id, 1061).has_value());
  EXPECT_TRUE(store->dueMail(999999, 10)->empty());
  EXPECT_EQ(*store->outboxSize(), 0);
}

TEST(ReportStore, ReadOnlyOpeningNeedsAStoreAndChangesNothing) {
  testing::TempDir dir;
  auto missing = ReportStore::openReadOnly(dir.path() / "none.db");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), ErrorCode::NotFound);
  {
    auto store = ReportStore::open(dir.path() / "controller.db");
    ASSERT_TRUE(store->add(report("web1", kId), std::nullopt).has_value());
  }
  auto reader = ReportStore::openReadOnly(dir.path() / "controller.db");
  ASSERT_TRUE(reader.has_value());
  EXPECT_EQ(reader->list("web1", 10, false)->size(), 1u);
  EXPECT_FALSE(reader->add(report("web1", "0000018c2d3e4f5a1b2c3d4e5f607183"), std::nullopt));
}

TEST(ReportStore, AStoreFromANewerControllerIsRefused) {
  testing::TempDir dir;
  const auto path = dir.path() / "controller.db";
  ASSERT_TRUE(ReportStore::open(path).has_value());
  SQLite::Database(path.string(), SQLite::OPEN_READWRITE).exec("PRAGMA user_version = 99");
  auto newer = ReportStore::open(path);
  ASSERT_FALSE(newer.has_value());
  EXPECT_EQ(newer.error().code(), ErrorCode::Schema);
}

TEST(ReportId, OnlyTheAgentsFormIsAccepted) {
  EXPECT_TRUE(isReportId(kId));
  for (const std::string& hostile : {
           std::string("../x"),
           std::string("%2e%2e/x"),
           std::string("%252e%252e%252f"),
           std::string("/etc/passwd"),
           std::string("0000018c2d3e4f5a\0"
                       "1b2c3d4e5f60718",
                       32),
           std::string(4096, 'a'),
           std::string("0000018C2D3E4F5A1B2C3D4E5F607182"),
           std::string("0000018c2d3e4f5a1b2c3d4e5f60718\xef\xbc\x92"),
           std::string("0000018c2d3e4f5a1b2c3d4e5f60718"),
           std::string(""),
       }) {
    EXPECT_FALSE(isReportId(hostile)) << hostile;
  }
}

}  // namespace
}  // namespace sc::controller::reports
