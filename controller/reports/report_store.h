// The controller's store (ARCHITECTURE.md decisions 8 and 9): every report
// an agent sends, and the outbox of mail to ops, in one SQLite database in
// WAL mode (`scctl serve --db`, default /var/lib/smartcookies/controller.db).
//
// Reports are never lost and never stored twice (SECURITY.md T-18): an agent
// keeps each report in its spool until the controller acknowledges it, and
// the controller acknowledges only after the report (and any mail it calls
// for) is committed, in one transaction, with synchronous=FULL. An agent
// that resends a report it did not see acknowledged finds its id already
// there: it is acknowledged again and stored once.
//
// Nothing an agent sends names anything in the file system (T-21): rows are
// found by the store's own integer ids; the agent's report id is a column,
// accepted only in its strict form (common/protocol/report_id.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/protocol/report_id.h"

namespace SQLite {
class Database;
}

namespace sc::controller::reports {

using protocol::isReportId;  // the only form of an agent's report id

struct StoredReport {
  std::int64_t id = 0;    // the store's own
  std::string report_id;  // the agent's (empty for a pushed run's result)
  std::string host;
  std::string trigger;  // "schedule" or "push"
  bool check = false;   // a check run (drift found, nothing changed)
  bool stale = false;   // the manifest behind it had expired (T-04)
  std::uint64_t serial = 0;
  std::int64_t exit_code = 0;
  std::int64_t changed = 0;  // changed, or would change in a check run
  std::int64_t failed = 0;
  std::int64_t ran_at = 0;       // Unix seconds, the agent's clock
  std::int64_t received_at = 0;  // Unix seconds, ours
  std::string body;              // the report as the agent sent it, compact JSON
};

struct OutgoingMail {
  std::int64_t id = 0;
  std::string subject;
  std::string body;
  std::string message_id;
  std::int64_t created_at = 0;
  std::int64_t attempts = 0;
  std::string last_error;
};

enum class Insertion { Stored, Duplicate };

class ReportStore {
 public:
  // Opens (creating when missing, mode 0600, parent 0700) the database.
  static Result<ReportStore> open(const std::filesystem::path& path);
  // Opens an existing database for reading only (`scctl reports`).
  static Result<ReportStore> openReadOnly(const std::filesystem::path& path);
  ReportStore(ReportStore&&) noexcept;
  ReportStore& operator=(ReportStore&&) noexcept;
  ~ReportStore();

  // Stores `report` and queues `mail` with it, in one transaction; a
  // report whose (host, report_id) is already stored changes nothing and
  // is a Duplicate.
  Result<Insertion> add(const StoredReport& report, const std::optional<OutgoingMail>& mail);
  // The same for many reports in one transaction, so one sync to disk
  // serves them all (the controller commits what arrived together: a
  // thousand results of one push cost one fsync, not a thousand). All or
  // none are stored.
  struct Incoming {
    StoredReport report;
    std::optional<OutgoingMail> mail;
  };
  Result<std::vector<Insertion>> addAll(const std::vector<Incoming>& incoming);
  // The newest report of `host` that a scheduled run sent, if any, with
  // its body.
  Result<std::optional<StoredReport>> lastScheduled(const std::string& host);
  // Newest first; an empty host means every host. With bodies only when
  // asked (they can be large).
  Result<std::vector<StoredReport>> list(const std::string& host, std::size_t limit,
                                         bool with_body);

  // The newest report of every host (`scctl hosts`: last serial, last report).
  Result<std::vector<StoredReport>> latestOfEachHost();

  // Mail not yet accepted by the SMTP server whose next attempt is due.
  Result<std::vector<OutgoingMail>> dueMail(std::int64_t now, std::size_t limit);
  Result<void> markSent(std::int64_t id, std::int64_t now);
  Result<void> markFailed(std::int64_t id, const std::string& error, std::int64_t next_attempt_at);
  // How many mails wait in the outbox.
  Result<std::int64_t> outboxSize();

 private:
  explicit ReportStore(std::unique_ptr<SQLite::Database> db);
  std::unique_ptr<SQLite::Database> db_;
};

}  // namespace sc::controller::reports
