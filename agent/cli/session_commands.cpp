#include "agent/cli/session_commands.h"

#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "agent/cli/options.h"
#include "agent/session/agent_session.h"
#include "agent/session/child_run.h"
#include "agent/session/enrol.h"
#include "common/config/settings_file.h"
#include "common/exit_codes.h"
#include "common/log/log.h"
#include "common/text/host_name.h"

namespace sc::agent::cli {
namespace {

int fail(const Error& error) {
  std::fprintf(stderr, "sc-agent: %s\n", error.describe().c_str());
  return exit_code::kFailed;
}

int usage(const std::string& message) {
  std::fprintf(stderr, "sc-agent: error: %s\n", message.c_str());
  return exit_code::kUsage;
}

std::string stateDirOf(const std::string& given) {
  return given.empty() ? defaultStateDir() : given;
}

bool isLowerHex64(std::string_view text) {
  return text.size() == 64 && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

std::string thisHostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return {};
  return name;
}

}  // namespace

CLI::App* addEnrollCommand(CLI::App& app, EnrollArgs& args) {
  auto* command = app.add_subcommand("enroll", "Get this host's certificate from the controller");
  command->add_option("--controller", args.controller, "The controller, HOST[:PORT] (port 8143)")
      ->required();
  command->add_option("--name", args.name, "This host's name (default: its hostname)");
  command->add_option("--token", args.token, "A one-time token from 'scctl token create'");
  command->add_option("--ca-fingerprint", args.ca_fingerprint,
                      "Without a token: the CA fingerprint 'scctl ca show' prints");
  command->add_flag("--wait", args.wait,
                    "Without a token: keep asking until an operator runs 'scctl ca sign'");
  command->add_option("--state-dir", args.state_dir,
                      "Where the agent keeps its state; credentials go to STATE/tls");
  command->add_flag("-v,--verbose", args.verbosity, "More output");
  command->footer(R"(Examples:
  sc-agent enroll --controller ctl.example.com --token sc1.6f...   # issued at once
  sc-agent enroll --controller 10.0.0.5:8143 --ca-fingerprint 3a... --wait

The key is made on this host (mode 0600) and never leaves it.

Exit codes:
  0  enrolled (or, without --wait, the request is waiting for approval)
  1  refused or unreachable (the message says why)
  2  bad usage)");
  return command;
}

int runEnroll(const EnrollArgs& args) {
  session::EnrolSettings settings;
  auto controller = session::parseControllerAddress(args.controller);
  if (!controller) return usage(controller.error().describe());
  settings.controller = *controller;
  settings.name = args.name.empty() ? thisHostName() : args.name;
  if (auto valid = text::checkHostName(settings.name); !valid) {
    return usage(valid.error().message() + " (give --name)");
  }
  if (!args.token.empty()) {
    // "sc1.SECRET.CAFP": the token pins the CA.
    const auto dot = args.token.rfind('.');
    if (args.token.rfind("sc1.", 0) != 0 || dot == std::string::npos ||
        !isLowerHex64(std::string_view(args.token).substr(dot + 1))) {
      return usage("--token: not an enrolment token ('scctl token create' prints one)");
    }
    settings.token = args.token;
    settings.ca_fingerprint = args.token.substr(dot + 1);
  } else if (isLowerHex64(args.ca_fingerprint)) {
    settings.ca_fingerprint = args.ca_fingerprint;
  } else {
    return usage("give --token, or --ca-fingerprint (64 hex digits, from 'scctl ca show')");
  }
  const std::string state = stateDirOf(args.state_dir);
  if (state.empty()) return usage("no state directory: give --state-dir");
  settings.credentials.dir = std::filesystem::path(state) / "tls";
  settings.wait = args.wait;
  auto status = session::enrolAgent(settings);
  if (!status) return fail(status.error());
  if (*status == session::EnrolStatus::Pending) {
    std::printf(
        "request sent; waiting for approval: on the controller run 'scctl ca sign %s', then run "
        "this again\n",
        settings.name.c_str());
    return exit_code::kDone;
  }
  std::printf("enrolled as %s with %s; start the agent with 'sc-agent run'\n",
              settings.name.c_str(), settings.controller.text().c_str());
  return exit_code::kDone;
}

void becomeDaemon(char** argv) {
  const std::string daemon = session::siblingProgram("sc-agentd");
  ::execv(daemon.c_str(), argv);
  if (errno != ENOENT) {
    std::fprintf(stderr, "sc-agent: warning: cannot start %s (%s); running the session here\n",
                 daemon.c_str(), std::strerror(errno));
  }
}

CLI::App* addRunCommand(CLI::App& app, RunArgs& args) {
  auto* command = app.add_subcommand("run", "Keep a session with the controller (the daemon)");
  command->add_option("--state-dir", args.state_dir, "Where the agent keeps its state");
  command->add_option("--trust", args.trust,
                      "Trust only this public key file for pushed manifests (repeatable); "
                      "without it, the root document pushes keep current (docs/trust.md)");
  command->add_option("--root", args.root,
                      "Apply pushed manifests under this directory instead of / (tests, chroots)");
  command->add_option("--allow-path", args.allow_paths,
                      "For an unprivileged agent: a path prefix it may manage (repeatable)");
  command
      ->add_option("--connect-timeout", args.connect_timeout,
                   "Seconds to connect, handshake and be welcomed")
      ->default_val(30)
      ->check(CLI::Range(1, 600));
  command
      ->add_option("--backoff", args.backoff_base,
                   "First reconnection delay bound in seconds (doubles up to --backoff-cap)")
      ->default_val(1.0)
      ->check(CLI::Range(0.01, 3600.0));
  command->add_option("--backoff-cap", args.backoff_cap, "Largest reconnection delay bound")
      ->default_val(300.0)
      ->check(CLI::Range(0.01, 86400.0));
  command
      ->add_option(
          "--splay", args.splay,
          "At most this many seconds of random delay at start, and after a session that lasted a "
          "minute ends")
      ->default_val(0.0)
      ->check(CLI::Range(0.0, 3600.0));
  command
      ->add_option("--run-interval", args.run_interval,
                   "Seconds between scheduled runs of the last applied manifest, which report "
                   "drift to the controller (0: none)")
      ->default_val(1800.0)
      ->check(CLI::Range(0.0, 86400.0 * 7));
  command
      ->add_option("--run-mode", args.run_mode,
                   "What a scheduled run does: 'check' reports drift and changes nothing, "
                   "'enforce' corrects it and reports what it corrected")
      ->default_val("check")
      ->check(CLI::IsMember({"check", "enforce"}));
  command->add_flag("-v,--verbose", args.verbosity, "More output");
  command->add_option("--config", args.config,
                      "Settings file: YAML, one key per option above (default "
                      "/etc/smartcookies/agent.yml, or ~/.config/smartcookies/agent.yml for a "
                      "user, when it exists)");
  args.command = command;
  command->footer(R"(Needs a finished 'sc-agent enroll'. Logs go to stderr (the journal, under
systemd). SIGTERM or SIGINT stops it.

A settings file holds the same options, spelt with '_' or '-'; the command
line wins over it:
  state_dir: /var/lib/smartcookies/agent
  splay: 30
  allow_path: [/srv/www, /etc/nginx]
  run_interval: 900
  run_mode: enforce

Reports of scheduled runs wait in the state directory's spool until the
controller acknowledges them; a run of a manifest that has expired still
enforces it, and its report says stale (docs/protocol.md).

Exit codes:
  0  stopped by a signal
  1  not enrolled, or the credentials are unreadable
  2  bad usage)");
  return command;
}

int runRun(RunArgs& args) {
  const char* home = std::getenv("HOME");
  const std::string default_config = ::geteuid() == 0 || home == nullptr
                                         ? std::string("/etc/smartcookies/agent.yml")
                                         : std::string(home) + "/.config/smartcookies/agent.yml";
  if (auto loaded = config::applyDaemonSettings(*args.command, args.config, default_config);
      !loaded) {
    std::fprintf(stderr, "sc-agent: %s\n", loaded.error().describe().c_str());
    return exit_code::kUsage;
  }
  // A daemon reports its session: info by default, debug with -v (on the
  // command line or as `verbose:` in the settings file, hence only now).
  log::setupLogging(args.verbosity >= 1 ? log::Verbosity::Debug : log::Verbosity::Verbose);
  const std::string state = stateDirOf(args.state_dir);
  if (state.empty()) return usage("no state directory: give --state-dir");
  session::RunSettings settings;
  settings.credentials.dir = std::filesystem::path(state) / "tls";
  settings.state_dir = state;
  for (const auto& key : args.trust) {
    settings.apply_arguments.insert(settings.apply_arguments.end(), {"--trust", key});
  }
  settings.follow_root_documents = args.trust.empty();
  for (const auto& path : args.allow_paths) {
    settings.apply_arguments.insert(settings.apply_arguments.end(), {"--allow-path", path});
  }
  if (!args.root.empty()) {
    settings.apply_arguments.insert(settings.apply_arguments.end(), {"--root", args.root});
    settings.facts_arguments.insert(settings.facts_arguments.end(), {"--root", args.root});
  }
  settings.connect_timeout = std::chrono::seconds(args.connect_timeout);
  const auto ms = [](double seconds) {
    return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
  };
  settings.backoff_base = ms(args.backoff_base);
  settings.backoff_cap = ms(args.backoff_cap);
  settings.splay = ms(args.splay);
  settings.run_interval = ms(args.run_interval);
  settings.run_enforce = args.run_mode == "enforce";
  auto enrolment = session::loadEnrolment(settings.credentials);
  if (!enrolment) return fail(enrolment.error());
  spdlog::debug("enrolled as '{}' with {}; state in {}", enrolment->name,
                enrolment->controller.text(), state);
  boost::asio::io_context io(1);
  session::AgentSession agent(io, settings, *enrolment);
  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    agent.stop();
    io.stop();
  });
  boost::asio::co_spawn(io, agent.run(), boost::asio::detached);
  io.run();
  return exit_code::kDone;
}

}  // namespace sc::agent::cli
