#include "controller/mail/outbox_mailer.h"

#include <algorithm>

#include "common/log/log.h"
#include "common/time/duration.h"
#include "controller/reports/report_store.h"

namespace sc::controller::mail {
namespace {

// The outbox is looked at this often even when nothing wakes the mailer:
// retries come due, and another controller may share the database.
constexpr auto kPoll = std::chrono::seconds(30);
constexpr std::size_t kBatch = 20;

}  // namespace

std::chrono::seconds retryDelay(std::int64_t attempts, std::chrono::seconds retry,
                                std::chrono::seconds cap) {
  std::int64_t delay = std::max<std::int64_t>(retry.count(), 1);
  for (std::int64_t i = 1; i < attempts && delay < cap.count(); ++i) delay *= 2;
  return std::chrono::seconds(std::min<std::int64_t>(delay, cap.count()));
}

OutboxMailer::OutboxMailer(std::filesystem::path database, MailerSettings settings)
    : database_(std::move(database)), settings_(std::move(settings)) {}

OutboxMailer::~OutboxMailer() { stop(); }

void OutboxMailer::start() {
  thread_ = std::thread([this] { loop(); });
}

void OutboxMailer::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  changed_.notify_one();
}

void OutboxMailer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void OutboxMailer::loop() {
  // Its own connection: SQLite connections are not shared across threads.
  auto store = reports::ReportStore::open(database_);
  if (!store) {
    spdlog::error("the mailer cannot open the outbox: {}", store.error().describe());
    return;
  }
  for (;;) {
    auto next_wait = kPoll;
    auto due = store->dueMail(time::unixNow(), kBatch);
    if (!due) {
      spdlog::error("the mailer cannot read the outbox: {}", due.error().describe());
    } else {
      for (const auto& queued : *due) {
        {
          std::lock_guard lock(mutex_);
          if (stopping_) return;
        }
        MailMessage message{queued.subject, queued.body, queued.message_id, queued.created_at};
        if (auto sent = sendMail(settings_.smtp, message); sent) {
          spdlog::info("mailed '{}' to {}", queued.subject, fmt::join(settings_.smtp.to, ", "));
          if (auto marked = store->markSent(queued.id, time::unixNow()); !marked) {
            spdlog::error("mail {} was sent but not marked sent: {}", queued.id,
                          marked.error().describe());
          }
        } else {
          const auto delay = retryDelay(queued.attempts + 1, settings_.retry, settings_.retry_cap);
          spdlog::warn("mail '{}' not sent (attempt {}): {}; next attempt in {} s", queued.subject,
                       queued.attempts + 1, sent.error().describe(), delay.count());
          if (auto marked = store->markFailed(queued.id, sent.error().describe(),
                                              time::unixNow() + delay.count());
              !marked) {
            spdlog::error("mail {} failed and cannot be marked: {}", queued.id,
                          marked.error().describe());
          }
          next_wait = std::min(next_wait, delay);
        }
      }
      if (due->size() == kBatch) next_wait = std::chrono::seconds(0);
    }
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, next_wait, [this] { return woken_ || stopping_; });
    if (stopping_) return;
    woken_ = false;
  }
}

}  // namespace sc::controller::mail
