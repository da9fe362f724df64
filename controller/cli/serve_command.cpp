#include "controller/cli/serve_command.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>

#include "common/config/settings_file.h"
#include "common/exit_codes.h"
#include "common/fs/atomic_file.h"
#include "common/log/log.h"
#include "controller/cli/ca_command.h"
#include "controller/cli/reports_command.h"
#include "controller/mail/outbox_mailer.h"
#include "controller/push/admin_client.h"
#include "controller/trust/root_chain.h"

namespace sc::controller::cli {

CLI::App* addServeCommand(CLI::App& app, ServeArgs& args) {
  auto* command = app.add_subcommand("serve", "Run the controller daemon agents connect to");
  command->add_option("--listen", args.settings.listen_address, "Address to listen on")
      ->default_val("0.0.0.0");
  command->add_option("--port", args.settings.port, "TCP port (0: any free port)")
      ->default_val(8143);
  command->add_option("--ca-dir", args.ca_dir, "The CA directory ('scctl ca init')")
      ->default_val(kDefaultCaDir);
  command
      ->add_option("--trust-dir", args.settings.trust_dir,
                   "Root documents sent with every push ('scctl trust'); none when missing")
      ->default_val(trust::kDefaultTrustDir);
  command->add_flag("--allow-tls12", args.settings.allow_tls12,
                    "Also accept TLS 1.2 (AEAD suites only); TLS 1.3 only by default");
  command
      ->add_option("--handshake-timeout", args.handshake_timeout,
                   "Seconds a new connection has for its TLS handshake and hello")
      ->default_val(10)
      ->check(CLI::Range(1, 600));
  command->add_option("--heartbeat", args.heartbeat, "Seconds between agent heartbeats")
      ->default_val(30)
      ->check(CLI::Range(1, 3600));
  command
      ->add_option("--idle-timeout", args.idle_timeout,
                   "Seconds without a complete message before a session is closed")
      ->default_val(90)
      ->check(CLI::Range(2, 86400));
  command
      ->add_option("--max-handshakes", args.settings.max_handshakes,
                   "Connections allowed between accept and hello at once; at the cap "
                   "the one waiting longest is closed")
      ->default_val(256)
      ->check(CLI::PositiveNumber);
  command
      ->add_option("--admin-socket", args.settings.admin_socket,
                   "The socket 'scctl apply' and 'scctl hosts' use (mode 0600)")
      ->default_val(push::kDefaultAdminSocket);
  command
      ->add_option("--db", args.database,
                   "The report store: an SQLite database (created when missing)")
      ->default_val(kDefaultDatabase);
  command->add_option("--smtp", args.smtp,
                      "Mail drift, failures and expired manifests through this SMTP server "
                      "(smtp://host:port or smtps://host:port)");
  command->add_option("--mail-from", args.mail_from, "Sender address of that mail")
      ->default_val("smartcookies@localhost");
  command->add_option("--mail-to", args.mail_to, "Who gets that mail (repeatable)");
  command->add_flag("--smtp-starttls", args.smtp_starttls, "Require STARTTLS on an smtp:// server");
  command
      ->add_option("--mail-retry", args.mail_retry,
                   "Seconds before a mail the server did not take is tried again (doubling "
                   "up to an hour)")
      ->default_val(60)
      ->check(CLI::Range(1, 86400));
  command->add_option("--port-file", args.port_file,
                      "Write the port bound to this file once listening (with --port 0)");
  command->add_flag("-v,--verbose", args.verbose, "Log every connection");
  command->add_option("--config", args.config,
                      "Settings file: YAML, one key per option above (default "
                      "/etc/smartcookies/controller.yml when it exists)");
  args.command = command;
  command->footer(R"(Agents dial this port over mutual TLS 1.3 and keep the session open;
docs/protocol.md describes the session, docs/enrolment.md the CA.
Logs go to stderr (the journal, under systemd). SIGTERM or SIGINT stops it.

A settings file holds the same options, spelt with '_' or '-'; the command
line wins over it:
  listen: 10.0.0.5
  ca_dir: /var/lib/smartcookies/ca
  heartbeat: 30
  smtp: smtp://127.0.0.1:25
  mail_to: [ops@example.com]

Reports agents send are kept in --db; `scctl reports` lists them. With
--smtp and --mail-to, a report of drift, of failures, or the first after a
host's manifest expired is mailed; mail the server does not take waits in
the database's outbox and is tried again.

Exit codes:
  0  stopped by a signal
  1  could not start (CA unreadable, port in use, ...)
  2  bad usage)");
  return command;
}

int runServe(ServeArgs& args) {
  if (auto loaded = config::applyDaemonSettings(*args.command, args.config,
                                                "/etc/smartcookies/controller.yml");
      !loaded) {
    std::fprintf(stderr, "scctl: %s\n", loaded.error().describe().c_str());
    return exit_code::kUsage;
  }
  // A daemon reports its sessions: info by default, debug with -v.
  log::setupLogging(args.verbose ? log::Verbosity::Debug : log::Verbosity::Verbose);
  args.settings.ca_dir = args.ca_dir;
  args.settings.handshake_timeout = std::chrono::seconds(args.handshake_timeout);
  args.settings.heartbeat = std::chrono::seconds(args.heartbeat);
  args.settings.idle_timeout = std::chrono::seconds(args.idle_timeout);
  auto authority = ca::CertificateAuthority::open(args.ca_dir);
  if (!authority) {
    std::fprintf(stderr, "scctl: %s\n", authority.error().describe().c_str());
    return exit_code::kFailed;
  }
  args.settings.database = args.database;
  std::unique_ptr<mail::OutboxMailer> mailer;
  if (!args.smtp.empty() || !args.mail_to.empty()) {
    mail::MailerSettings mail_settings;
    mail_settings.smtp.url = args.smtp;
    mail_settings.smtp.from = args.mail_from;
    mail_settings.smtp.to = args.mail_to;
    mail_settings.smtp.starttls = args.smtp_starttls;
    mail_settings.retry = std::chrono::seconds(args.mail_retry);
    if (auto valid = mail::validateSmtpSettings(mail_settings.smtp); !valid) {
      std::fprintf(stderr, "scctl: %s\n", valid.error().describe().c_str());
      return exit_code::kUsage;
    }
    mailer = std::make_unique<mail::OutboxMailer>(args.database, std::move(mail_settings));
    args.settings.queue_mail = true;
    args.settings.mail_queued = [&mailer] { mailer->wake(); };
  }
  boost::asio::io_context io(1);
  serve::Server server(io, args.settings, std::move(*authority));
  auto port = server.start();
  if (!port) {
    std::fprintf(stderr, "scctl: %s\n", port.error().describe().c_str());
    return exit_code::kFailed;
  }
  // After start(): the store exists, created with its schema.
  if (mailer) mailer->start();
  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("signal {}: stopping", signal);
    server.stop();
    io.stop();
  });
  spdlog::info("listening on {}:{}", args.settings.listen_address, *port);
  if (!args.port_file.empty()) {
    if (auto written = fs::writeFileAtomic(args.port_file, fmt::format("{}\n", *port), {});
        !written) {
      std::fprintf(stderr, "scctl: %s\n", written.error().describe().c_str());
      return exit_code::kFailed;
    }
  }
  io.run();
  return exit_code::kDone;
}

}  // namespace sc::controller::cli
