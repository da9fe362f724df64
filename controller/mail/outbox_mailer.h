// Sends the outbox (controller/reports/report_store.h) to the SMTP server,
// on a thread of its own: an SMTP exchange blocks, and the event loop that
// holds every agent session must not (ARCHITECTURE.md decision 8).
//
// A mail leaves the outbox only when the server accepted it. A refusal or a
// dead server leaves it there, tried again after a delay that doubles from
// `retry` up to `retry_cap`; a restarted controller picks up where it was,
// since the outbox is in the database.
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "controller/mail/smtp_sender.h"

namespace sc::controller::mail {

struct MailerSettings {
  SmtpSettings smtp;
  std::chrono::seconds retry{60};
  std::chrono::seconds retry_cap{3600};
};

// The delay before the next attempt after `attempts` failed ones.
std::chrono::seconds retryDelay(std::int64_t attempts, std::chrono::seconds retry,
                                std::chrono::seconds cap);

class OutboxMailer {
 public:
  OutboxMailer(std::filesystem::path database, MailerSettings settings);
  ~OutboxMailer();
  OutboxMailer(const OutboxMailer&) = delete;
  OutboxMailer& operator=(const OutboxMailer&) = delete;

  void start();
  // A mail was queued: look at the outbox now rather than at the next poll.
  void wake();
  // Finishes the exchange in progress, if any, and joins the thread.
  void stop();

 private:
  void loop();

  std::filesystem::path database_;
  MailerSettings settings_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool woken_ = false;
  bool stopping_ = false;
};

}  // namespace sc::controller::mail
