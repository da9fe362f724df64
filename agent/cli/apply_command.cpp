#include "agent/cli/apply_command.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <optional>

#include "agent/engine/engine.h"
#include "agent/host/posix_host.h"
#include "agent/state/state_dir.h"
#include "common/exit_codes.h"
#include "common/fs/atomic_file.h"
#include "common/fs/unique_fd.h"
#include "common/limits.h"
#include "common/log/log.h"

namespace sc::agent::cli {
namespace {

Result<std::string> readManifestFile(const std::string& path) {
  fs::UniqueFd fd(path == "-" ? ::dup(STDIN_FILENO) : ::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return errnoError(errno, "cannot open the manifest", path);
  auto bytes = fs::readAllCapped(fd.get(), limits::kMaxManifestBytes);
  if (!bytes) return std::move(bytes.error()).withWhere(path);
  return bytes;
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
  command->footer(R"(Example:
  sc-agent apply --manifest web1.json --diff
  sc-agent apply --manifest web1.json --root /tmp/sandbox --check --detailed-exitcode

Exit codes:
  0  done: every resource is in its desired state
  1  some resource failed
  2  usage error
  3  manifest rejected before anything ran (malformed, unknown kind, bad parameter, conflict)
  4  check mode found changes (with --detailed-exitcode)
  5  another run holds the state directory lock)");
  command->add_option("-m,--manifest", args.manifest_path, "Manifest JSON file ('-' for stdin)")
      ->required();
  command->add_flag("-C,--check", args.check, "Report what would change; change nothing");
  command->add_flag("-D,--diff", args.diff, "Show the text differences of changed files");
  command->add_flag("--json", args.json, "Print one JSON report on stdout instead of status lines");
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

int runApply(const ApplyArgs& args) {
  // 1. Read and check everything that can be checked without the host.
  auto bytes = readManifestFile(args.manifest_path);
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

int applyManifest(const manifest::Manifest& manifest, const ApplyArgs& args) {
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
    if (args.json) return;
    const bool quiet_skip =
        args.quiet && (report.outcome == Outcome::Ok || report.outcome == Outcome::Skipped);
    if (quiet_skip) return;
    std::string line = statusLine(report, args.diff);
    std::fprintf(stdout, "%s\n", colored(line, report.outcome, color).c_str());
  });
  RunReport report = engine.run(*plan);
  report.previous_run_interrupted = interrupted;
  lock->markFinished();

  if (args.json) {
    std::fprintf(
        stdout, "%s\n",
        toJson(report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    std::fprintf(stdout, "\nRECAP %s\n", recapLine(report).c_str());
  }
  std::fflush(stdout);
  const Recap recap = report.recap();
  if (recap.failed > 0) return exit_code::kFailed;
  if (args.check && args.detailed_exitcode && recap.would_change > 0) {
    return exit_code::kChangesPending;
  }
  return exit_code::kDone;
}

}  // namespace sc::agent::cli
