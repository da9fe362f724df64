#include "agent/cli/apply_command.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <optional>

#include "agent/engine/engine.h"
#include "agent/host/posix_host.h"
#include "agent/state/state_dir.h"
#include "agent/verify/trust_store.h"
#include "common/envelope/envelope.h"
#include "common/exit_codes.h"
#include "common/fs/atomic_file.h"
#include "common/fs/unique_fd.h"
#include "common/limits.h"
#include "common/log/log.h"
#include "common/time/duration.h"

namespace sc::agent::cli {
namespace {

Result<std::string> readInput(const std::string& path, std::uint64_t max_bytes) {
  if (path != "-") return fs::readFileCapped(path, max_bytes);
  fs::UniqueFd fd(::dup(STDIN_FILENO));
  if (!fd.valid()) return errnoError(errno, "cannot read stdin");
  auto bytes = fs::readAllCapped(fd.get(), max_bytes);
  if (!bytes) return std::move(bytes.error()).withWhere(path);
  return bytes;
}

// One line of --events output, written at once.
void printEvent(const nlohmann::json& event) {
  std::fprintf(stdout, "%s\n",
               event.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  std::fflush(stdout);
}

// A signed manifest refused: the reason on stderr (and as a JSON document
// with --json, for whoever drives the agent), exit code 3.
int refuse(const Error& error, const ApplyArgs& args) {
  // describe() ends with the reason code in brackets.
  std::fprintf(stderr, "sc-agent: refused: %s\n", error.describe().c_str());
  if (args.events) {
    printEvent({{"event", "refused"},
                {"reason", reasonCode(error.code())},
                {"message", error.describe()}});
  } else if (args.json) {
    const nlohmann::json refusal{{"format_version", 1},
                                 {"refused", true},
                                 {"reason", reasonCode(error.code())},
                                 {"message", error.describe()}};
    std::fprintf(stdout, "%s\n",
                 refusal.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  }
  return exit_code::kRejected;
}

std::string systemHostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return {};
  return name;
}

// The keys --trust names; without it the signing keys of the root document
// in the state directory (docs/trust.md), else the one default key file.
Result<envelope::TrustedKeys> loadTrust(const std::vector<std::string>& files,
                                        const CommonOptions& common) {
  if (files.empty()) {
    const std::string state_dir = common.state_dir.empty() ? defaultStateDir() : common.state_dir;
    SC_TRY_ASSIGN(const auto root, loadTrustedRoot(state_dir));
    if (root) return root->document.manifestKeys();
  }
  envelope::TrustedKeys trusted;
  const std::vector<std::string> paths =
      files.empty() ? std::vector<std::string>{"/etc/smartcookies/signing.key.pub"} : files;
  for (const std::string& path : paths) {
    auto key = envelope::PublicKey::fromPemFile(path);
    if (!key) {
      return std::move(key.error())
          .withContext("reading a trusted key (--trust: the controller's signing.key.pub)");
    }
    trusted.add(std::move(*key));
  }
  return trusted;
}

std::string colored(const std::string& line, Outcome outcome, bool color) {
  if (!color) return line;
  const char* code = "32";  // ok: green
  switch (outcome) {
    case Outcome::Changed:
    case Outcome::WouldChange:
      code = "33";
      break;
    case Outcome::Failed:
      code = "31";
      break;
    case Outcome::Skipped:
      code = "36";
      break;
    default:
      break;
  }
  const auto colon = line.find(':');
  return fmt::format("\033[{}m{}\033[0m{}", code, line.substr(0, colon), line.substr(colon));
}

void printError(const Error& error) {
  std::fprintf(stderr, "sc-agent: %s\n", error.describe().c_str());
}

}  // namespace

CLI::App* addApplyCommand(CLI::App& app, ApplyArgs& args) {
  auto* command = app.add_subcommand("apply", "Apply a manifest to this host");
  command->footer(R"(Examples:
  sc-agent apply --envelope web1.envelope.json --trust signing.key.pub --diff
  sc-agent apply --manifest web1.json --root /tmp/sandbox --check --detailed-exitcode

An envelope is refused, before anything is parsed further or written, when
it is malformed, not signed by a trusted key, for another host, expired or
not yet valid, or older than the last applied serial (docs/envelope.md).

Exit codes:
  0  done: every resource is in its desired state (or this serial was applied already)
  1  some resource failed
  2  usage error
  3  rejected before anything ran (bad signature, wrong host, rollback, expired, malformed,
     unknown kind, bad parameter, conflict)
  4  check mode found changes (with --detailed-exitcode)
  5  another run holds the state directory lock)");
  auto* manifest_option = command->add_option("-m,--manifest", args.manifest_path,
                                              "Unsigned manifest JSON file ('-' for stdin)");
  auto* signed_envelope = command->add_option(
      "--envelope", args.envelope_path,
      "Signed envelope (scctl compile --sign; '-' for stdin): its signature, host, times and "
      "serial are checked before anything else");
  manifest_option->excludes(signed_envelope);
  command
      ->add_flag("--last-applied", args.last_applied,
                 "Run the manifest this host last applied again (checked again; after it "
                 "expired it still runs, its report marked stale): how 'sc-agent run' checks "
                 "for drift on schedule")
      ->excludes(manifest_option)
      ->excludes(signed_envelope);
  command->add_option("--trust", args.trust,
                      "Public key file the envelope may be signed by (repeatable). Default: the "
                      "signing keys of the root document in the state directory, else "
                      "/etc/smartcookies/signing.key.pub");
  command->add_option("--host", args.host,
                      "This host's name as manifests name it (default: the system's host name)");
  command->add_flag("-C,--check", args.check, "Report what would change; change nothing");
  command->add_flag("-D,--diff", args.diff, "Show the text differences of changed files");
  auto* json_flag = command->add_flag("--json", args.json,
                                      "Print one JSON report on stdout instead of status lines");
  command
      ->add_flag("--events", args.events,
                 "Print one JSON line per resource as it finishes, then the report (how "
                 "'sc-agent run' follows a run)")
      ->excludes(json_flag);
  command->add_flag("-q,--quiet", args.quiet, "Print only changed and failed resources");
  command->add_flag("--detailed-exitcode", args.detailed_exitcode,
                    "In check mode, exit 4 when something would change");
  command->add_option("--max-file-size", args.max_file_size,
                      "Largest managed file content in bytes (default 16 MiB)");
  command->add_option("--timeout", args.timeout_seconds,
                      "Time limit for the whole run in seconds; commands are killed at it");
  command->add_option("-t,--tags", args.tags, "Only resources with one of these tags")
      ->delimiter(',');
  command->add_option("--skip-tags", args.skip_tags, "Never resources with one of these tags")
      ->delimiter(',');
  addCommonOptions(*command, args.common, /*with_root=*/true);
  return command;
}

int runSigned(const ApplyArgs& args) {
  auto trusted = loadTrust(args.trust, args.common);
  if (!trusted) {
    printError(trusted.error());
    return exit_code::kUsage;
  }
  auto bytes = readInput(args.envelope_path, limits::kMaxEnvelopeBytes);
  if (!bytes) return refuse(bytes.error(), args);
  AdmissionPolicy policy;
  policy.host = args.host.empty() ? systemHostName() : args.host;
  policy.trusted = &*trusted;
  policy.now = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  auto admitted = admitEnvelope(*bytes, policy);
  if (!admitted) return refuse(admitted.error(), args);
  admitted->envelope = std::move(*bytes);
  return applyManifest(admitted->manifest, args, &*admitted);
}

int runLastApplied(const ApplyArgs& args) {
  auto trusted = loadTrust(args.trust, args.common);
  if (!trusted) {
    printError(trusted.error());
    return exit_code::kUsage;
  }
  auto state = openStateDir(args.common);
  if (!state) {
    printError(state.error());
    return exit_code::kFailed;
  }
  auto text = state->loadAppliedEnvelope();
  if (!text) {
    printError(text.error());
    return exit_code::kFailed;
  }
  if (text->empty()) {
    const std::string message = "no signed manifest has been applied on this host yet";
    if (args.events)
      printEvent({{"event", "nothing_applied"}, {"message", message}});
    else
      std::fprintf(stdout, "%s\n", message.c_str());
    return exit_code::kDone;
  }
  AdmissionPolicy policy;
  policy.host = args.host.empty() ? systemHostName() : args.host;
  policy.trusted = &*trusted;
  policy.now = time::unixNow();
  policy.keep_expired = true;
  auto admitted = admitEnvelope(*text, policy);
  if (!admitted) return refuse(admitted.error(), args);
  return applyManifest(admitted->manifest, args, &*admitted);
}

int runApply(const ApplyArgs& args) {
  // Under `sc-agent run` the reader of --events may go away mid-run (the
  // daemon restarted): the run goes on to its end rather than dying of
  // SIGPIPE between two resources; its lines are simply lost.
  if (args.events) ::signal(SIGPIPE, SIG_IGN);
  if (args.manifest_path.empty() && args.envelope_path.empty() && !args.last_applied) {
    std::fprintf(stderr,
                 "sc-agent: error: give --envelope FILE (signed), --manifest FILE or "
                 "--last-applied\n");
    return exit_code::kUsage;
  }
  if (args.last_applied) return runLastApplied(args);
  if (!args.envelope_path.empty()) return runSigned(args);
  // 1. Read and check everything that can be checked without the host.
  auto bytes = readInput(args.manifest_path, limits::kMaxManifestBytes);
  if (!bytes) {
    printError(bytes.error());
    return exit_code::kRejected;
  }
  auto manifest = manifest::parseManifest(*bytes, args.manifest_path);
  if (!manifest) {
    printError(manifest.error());
    return exit_code::kRejected;
  }
  std::string().swap(*bytes);  // the parsed form is all that is needed now
  return applyManifest(*manifest, args);
}

int applyManifest(const manifest::Manifest& manifest, const ApplyArgs& args,
                  const Admitted* admitted) {
  std::optional<fs::BackupStore> backups;
  ResourceContext context;
  context.max_file_bytes =
      args.max_file_size > 0 ? args.max_file_size : limits::kDefaultMaxFileBytes;
  std::function<std::int64_t()> now_seconds;
  context.backup = [&](const std::string& path, std::string_view content,
                       const FileInfo& info) -> Result<void> {
    if (!backups) return ok();
    auto saved = backups->save(path, content, info.mode, info.uid, info.gid, now_seconds());
    if (!saved) return std::move(saved.error()).withContext("keeping a backup");
    return ok();
  };
  auto plan = makePlan(manifest, builtinRegistry(), context);
  if (!plan) {
    printError(plan.error());
    return exit_code::kRejected;
  }

  // 2. The host, the state directory and its lock.
  PosixHostOptions host_options;
  host_options.root = args.common.root;
  host_options.allowed_prefixes = allowedPrefixes(args.common);
  auto host = PosixHost::open(host_options);
  if (!host) {
    printError(host.error());
    return exit_code::kUsage;
  }
  now_seconds = [&host] { return (*host)->nowNs() / 1'000'000'000; };
  auto state = openStateDir(args.common);
  if (!state) {
    printError(state.error());
    return exit_code::kFailed;
  }
  bool interrupted = false;
  auto lock = state->lock(interrupted);
  if (!lock) {
    printError(lock.error());
    return lock.error().code() == ErrorCode::Busy ? exit_code::kBusy : exit_code::kFailed;
  }
  if (interrupted) spdlog::warn("the previous run was interrupted; this run completes it");
  backups.emplace(state->backups());

  // A signed manifest: its serial against the last applied one, then
  // recorded before anything changes (SECURITY.md T-03, F-03). Check mode
  // changes nothing, so it records nothing.
  std::optional<AppliedRecord> record;
  if (admitted != nullptr) {
    auto last = state->loadApplied();
    if (!last) {
      printError(last.error());
      return exit_code::kFailed;
    }
    if (args.last_applied) {
      // The kept envelope must be the one the record names: anything else
      // in its place (an older one copied back, another host's) is refused.
      const bool recorded = *last && (*last)->serial == manifest.serial &&
                            (*last)->sha256 == admitted->payload_sha256;
      if (!recorded) {
        return refuse(Error(ErrorCode::Equivocation,
                            "the kept envelope is not the manifest this host last applied"),
                      args);
      }
    }
    auto decision = args.last_applied ? Result<SerialDecision>(SerialDecision::Apply)
                                      : checkSerial(*admitted, *last ? &**last : nullptr);
    if (!decision) return refuse(decision.error(), args);
    if (*decision == SerialDecision::AlreadyApplied) {
      const std::string message =
          fmt::format("serial {} is already applied: nothing to do", manifest.serial);
      if (args.events) {
        printEvent(
            {{"event", "already_applied"}, {"serial", manifest.serial}, {"message", message}});
      } else if (args.json) {
        const nlohmann::json done{{"format_version", 1},
                                  {"already_applied", true},
                                  {"serial", manifest.serial},
                                  {"message", message}};
        std::fprintf(stdout, "%s\n", done.dump(2).c_str());
      } else {
        std::fprintf(stdout, "%s\n", message.c_str());
      }
      return exit_code::kDone;
    }
    if (!args.check && !args.last_applied) {
      record = AppliedRecord{manifest.host, manifest.serial, admitted->payload_sha256,
                             manifest.key_id, false};
      if (auto saved = state->saveApplied(*record); !saved) {
        printError(std::move(saved.error()).withContext("recording the serial before applying"));
        return exit_code::kFailed;
      }
      if (!admitted->envelope.empty()) {
        const std::filesystem::path source =
            args.envelope_path == "-" ? std::string() : args.envelope_path;
        if (auto kept = state->saveAppliedEnvelope(admitted->envelope, source); !kept) {
          printError(std::move(kept.error()).withContext("keeping the envelope for later runs"));
          return exit_code::kFailed;
        }
      }
    }
  }

  // 3. Run, printing each resource as it finishes.
  RunOptions options;
  options.check = args.check;
  options.tags = args.tags;
  options.skip_tags = args.skip_tags;
  options.max_file_bytes = context.max_file_bytes;
  if (args.timeout_seconds > 0) {
    options.run_timeout = std::chrono::milliseconds(static_cast<long>(args.timeout_seconds * 1000));
  }
  const bool color = useColor(args.common.color);
  Engine engine(**host, &*state, options, [&](const ResourceReport& report) {
    if (args.events) {
      printEvent({{"event", "resource"},
                  {"resource", toJson(report)},
                  {"line", statusLine(report, args.diff)}});
      return;
    }
    if (args.json) return;
    const bool quiet_skip =
        args.quiet && (report.outcome == Outcome::Ok || report.outcome == Outcome::Skipped);
    if (quiet_skip) return;
    std::string line = statusLine(report, args.diff);
    std::fprintf(stdout, "%s\n", colored(line, report.outcome, color).c_str());
  });
  RunReport report = engine.run(*plan);
  report.previous_run_interrupted = interrupted;
  if (record) {
    // Ended (failures included: a failed resource is retried by the next
    // serial, not by replaying this one).
    record->finished = true;
    if (auto saved = state->saveApplied(*record); !saved) {
      spdlog::error("cannot record serial {} as applied: {}", record->serial,
                    saved.error().describe());
    }
  }
  lock->markFinished();

  const Recap recap = report.recap();
  int code = exit_code::kDone;
  if (recap.failed > 0) {
    code = exit_code::kFailed;
  } else if (args.check && args.detailed_exitcode && recap.would_change > 0) {
    code = exit_code::kChangesPending;
  }
  if (args.events) {
    nlohmann::json event{{"event", "report"}, {"exit_code", code}, {"report", toJson(report)}};
    // Whoever sends this report on says which manifest it enforced, and
    // whether that manifest had expired (T-04).
    if (admitted != nullptr) {
      event["serial"] = manifest.serial;
      event["stale"] = admitted->expired;
    }
    printEvent(event);
  } else if (args.json) {
    std::fprintf(
        stdout, "%s\n",
        toJson(report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    std::fprintf(stdout, "\nRECAP %s\n", recapLine(report).c_str());
  }
  std::fflush(stdout);
  return code;
}

}  // namespace sc::agent::cli
