#include "controller/reports/report_store.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>

namespace sc::controller::reports {
namespace {

// user_version of the schema below; a database from a newer controller is
// refused rather than misread.
constexpr int kSchemaVersion = 1;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS reports (
  id          INTEGER PRIMARY KEY,
  report_id   TEXT,
  host        TEXT NOT NULL,
  trigger     TEXT NOT NULL,
  check_mode  INTEGER NOT NULL,
  stale       INTEGER NOT NULL,
  serial      INTEGER NOT NULL,
  exit_code   INTEGER NOT NULL,
  changed     INTEGER NOT NULL,
  failed      INTEGER NOT NULL,
  ran_at      INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  body        TEXT NOT NULL,
  UNIQUE (host, report_id)
);
CREATE INDEX IF NOT EXISTS reports_by_host ON reports (host, id);
CREATE TABLE IF NOT EXISTS outbox (
  id              INTEGER PRIMARY KEY,
  subject         TEXT NOT NULL,
  body            TEXT NOT NULL,
  message_id      TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error      TEXT NOT NULL DEFAULT '',
  sent_at         INTEGER
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (sent_at, next_attempt_at);
)sql";

Error storeError(const std::exception& e, const std::string& doing) {
  const auto* sqlite = dynamic_cast<const SQLite::Exception*>(&e);
  const int code = sqlite != nullptr ? sqlite->getErrorCode() : 0;
  const ErrorCode ours = code == SQLITE_FULL       ? ErrorCode::NoSpace
                         : code == SQLITE_BUSY     ? ErrorCode::Busy
                         : code == SQLITE_READONLY ? ErrorCode::ReadOnly
                                                   : ErrorCode::Io;
  return Error(ours, doing, "", e.what());
}

StoredReport readReport(SQLite::Statement& row, bool with_body) {
  StoredReport report;
  report.id = row.getColumn(0).getInt64();
  report.report_id = row.getColumn(1).getString();
  report.host = row.getColumn(2).getString();
  report.trigger = row.getColumn(3).getString();
  report.check = row.getColumn(4).getInt() != 0;
  report.stale = row.getColumn(5).getInt() != 0;
  report.serial = static_cast<std::uint64_t>(row.getColumn(6).getInt64());
  report.exit_code = row.getColumn(7).getInt64();
  report.changed = row.getColumn(8).getInt64();
  report.failed = row.getColumn(9).getInt64();
  report.ran_at = row.getColumn(10).getInt64();
  report.received_at = row.getColumn(11).getInt64();
  if (with_body) report.body = row.getColumn(12).getString();
  return report;
}

constexpr const char* kReportColumns =
    "id, coalesce(report_id, ''), host, trigger, check_mode, stale, serial, exit_code, changed, "
    "failed, ran_at, received_at, ";

}  // namespace

ReportStore::ReportStore(std::unique_ptr<SQLite::Database> db) : db_(std::move(db)) {}
ReportStore::ReportStore(ReportStore&&) noexcept = default;
ReportStore& ReportStore::operator=(ReportStore&&) noexcept = default;
ReportStore::~ReportStore() = default;

Result<ReportStore> ReportStore::open(const std::filesystem::path& path) {
  std::error_code ec;
  if (path.has_parent_path() && !std::filesystem::exists(path.parent_path(), ec)) {
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec)
      return Error(ErrorCode::Io, "cannot create the store's directory",
                   path.parent_path().string(), ec.message());
    ::chmod(path.parent_path().c_str(), 0700);
  }
  // Reports name hosts and what drifted on them: the database (and its WAL
  // and shared-memory files, which SQLite creates with the same mode) are
  // for the controller's user only.
  const mode_t old_mask = ::umask(0077);
  try {
    auto db = std::make_unique<SQLite::Database>(
        path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOFOLLOW,
        /*busy timeout ms=*/5000);
    ::umask(old_mask);
    const int version = db->execAndGet("PRAGMA user_version").getInt();
    if (version > kSchemaVersion) {
      return Error(ErrorCode::Schema,
                   fmt::format("the store has schema version {}; this controller knows up to {}",
                               version, kSchemaVersion),
                   path.string());
    }
    db->exec("PRAGMA journal_mode = WAL");
    // An acknowledged report must survive a power cut: the agent deletes
    // its copy on the acknowledgement.
    db->exec("PRAGMA synchronous = FULL");
    SQLite::Transaction schema(*db);
    db->exec(kSchema);
    db->exec(fmt::format("PRAGMA user_version = {}", kSchemaVersion));
    schema.commit();
    return ReportStore(std::move(db));
  } catch (const std::exception& e) {
    ::umask(old_mask);
    return storeError(e, "cannot open the store").withContext(path.string());
  }
}

Result<ReportStore> ReportStore::openReadOnly(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return Error(ErrorCode::NotFound, "no store here (scctl serve creates it)", path.string());
  }
  try {
    auto db = std::make_unique<SQLite::Database>(
        path.string(), SQLite::OPEN_READONLY | SQLite::OPEN_NOFOLLOW, 5000);
    return ReportStore(std::move(db));
  } catch (const std::exception& e) {
    return storeError(e, "cannot open the store").withContext(path.string());
  }
}

Result<Insertion> ReportStore::add(const StoredReport& report,
                                   const std::optional<OutgoingMail>& mail) {
  SC_TRY_ASSIGN(const auto added, addAll({Incoming{report, mail}}));
  return added.front();
}

Result<std::vector<Insertion>> ReportStore::addAll(const std::vector<Incoming>& incoming) {
  try {
    SQLite::Transaction transaction(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement insert(
        *db_,
        "INSERT INTO reports (report_id, host, trigger, check_mode, stale, serial, exit_code, "
        "changed, failed, ran_at, received_at, body) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
        "ON CONFLICT (host, report_id) DO NOTHING");
    SQLite::Statement queue(*db_,
                            "INSERT INTO outbox (subject, body, message_id, created_at, "
                            "next_attempt_at) VALUES (?,?,?,?,?)");
    std::vector<Insertion> outcomes;
    for (const auto& [report, mail] : incoming) {
      insert.reset();
      if (report.report_id.empty()) {
        insert.bind(1);  // NULL: results of pushes are never resent under one id
      } else {
        insert.bind(1, report.report_id);
      }
      insert.bind(2, report.host);
      insert.bind(3, report.trigger);
      insert.bind(4, report.check ? 1 : 0);
      insert.bind(5, report.stale ? 1 : 0);
      insert.bind(6, static_cast<std::int64_t>(report.serial));
      insert.bind(7, report.exit_code);
      insert.bind(8, report.changed);
      insert.bind(9, report.failed);
      insert.bind(10, report.ran_at);
      insert.bind(11, report.received_at);
      insert.bind(12, report.body);
      if (insert.exec() == 0) {
        outcomes.push_back(Insertion::Duplicate);
        continue;
      }
      outcomes.push_back(Insertion::Stored);
      if (!mail) continue;
      queue.reset();
      queue.bind(1, mail->subject);
      queue.bind(2, mail->body);
      queue.bind(3, mail->message_id);
      queue.bind(4, mail->created_at);
      queue.bind(5, mail->created_at);
      queue.exec();
    }
    transaction.commit();
    return outcomes;
  } catch (const std::exception& e) {
    return storeError(e, fmt::format("cannot store {} report(s)", incoming.size()));
  }
}

Result<std::optional<StoredReport>> ReportStore::lastScheduled(const std::string& host) {
  try {
    SQLite::Statement query(*db_, std::string("SELECT ") + kReportColumns +
                                      "body FROM reports WHERE host = ? AND trigger = 'schedule' "
                                      "ORDER BY id DESC LIMIT 1");
    query.bind(1, host);
    if (!query.executeStep()) return std::optional<StoredReport>();
    return std::optional<StoredReport>(readReport(query, true));
  } catch (const std::exception& e) {
    return storeError(e, "cannot read the store");
  }
}

Result<std::vector<StoredReport>> ReportStore::list(const std::string& host, std::size_t limit,
                                                    bool with_body) {
  try {
    SQLite::Statement query(*db_, std::string("SELECT ") + kReportColumns +
                                      (with_body ? "body" : "''") +
                                      " FROM reports WHERE (?1 = '' OR host = ?1) "
                                      "ORDER BY id DESC LIMIT ?2");
    query.bind(1, host);
    query.bind(2, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
    std::vector<StoredReport> rows;
    while (query.executeStep()) rows.push_back(readReport(query, with_body));
    return rows;
  } catch (const std::exception& e) {
    return storeError(e, "cannot read the store");
  }
}

Result<std::vector<StoredReport>> ReportStore::latestOfEachHost() {
  try {
    SQLite::Statement query(*db_, std::string("SELECT ") + kReportColumns +
                                      "'' FROM reports WHERE id IN "
                                      "(SELECT max(id) FROM reports GROUP BY host) ORDER BY host");
    std::vector<StoredReport> rows;
    while (query.executeStep()) rows.push_back(readReport(query, false));
    return rows;
  } catch (const std::exception& e) {
    return storeError(e, "cannot read the store");
  }
}

Result<std::vector<OutgoingMail>> ReportStore::dueMail(std::int64_t now, std::size_t limit) {
  try {
    SQLite::Statement query(*db_,
                            "SELECT id, subject, body, message_id, created_at, attempts, "
                            "last_error FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= ? "
                            "ORDER BY id LIMIT ?");
    query.bind(1, now);
    query.bind(2, static_cast<std::int64_t>(limit));
    std::vector<OutgoingMail> due;
    while (query.executeStep()) {
      OutgoingMail mail;
      mail.id = query.getColumn(0).getInt64();
      mail.subject = query.getColumn(1).getString();
      mail.body = query.getColumn(2).getString();
      mail.message_id = query.getColumn(3).getString();
      mail.created_at = query.getColumn(4).getInt64();
      mail.attempts = query.getColumn(5).getInt64();
      mail.last_error = query.getColumn(6).getString();
      due.push_back(std::move(mail));
    }
    return due;
  } catch (const std::exception& e) {
    return storeError(e, "cannot read the outbox");
  }
}

Result<void> ReportStore::markSent(std::int64_t id, std::int64_t now) {
  try {
    SQLite::Statement update(*db_,
                             "UPDATE outbox SET sent_at = ?, attempts = attempts + 1 WHERE id = ?");
    update.bind(1, now);
    update.bind(2, id);
    update.exec();
    return {};
  } catch (const std::exception& e) {
    return storeError(e, "cannot update the outbox");
  }
}

Result<void> ReportStore::markFailed(std::int64_t id, const std::string& error,
                                     std::int64_t next_attempt_at) {
  try {
    SQLite::Statement update(*db_,
                             "UPDATE outbox SET attempts = attempts + 1, last_error = ?, "
                             "next_attempt_at = ? WHERE id = ?");
    update.bind(1, error);
    update.bind(2, next_attempt_at);
    update.bind(3, id);
    update.exec();
    return {};
  } catch (const std::exception& e) {
    return storeError(e, "cannot update the outbox");
  }
}

Result<std::int64_t> ReportStore::outboxSize() {
  try {
    return db_->execAndGet("SELECT count(*) FROM outbox WHERE sent_at IS NULL").getInt64();
  } catch (const std::exception& e) {
    return storeError(e, "cannot read the outbox");
  }
}

}  // namespace sc::controller::reports
