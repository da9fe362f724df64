#include "agent/cli/backups_command.h"

#include <ctime>
#include <nlohmann/json.hpp>

#include "agent/host/posix_host.h"
#include "agent/state/state_dir.h"
#include "common/exit_codes.h"
#include "common/text/escape.h"

namespace sc::agent::cli {
namespace {

std::string timeText(std::int64_t seconds) {
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

int fail(const Error& error) {
  std::fprintf(stderr, "sc-agent: %s\n", error.describe().c_str());
  return error.code() == ErrorCode::Busy ? exit_code::kBusy : exit_code::kFailed;
}

int list(const BackupsArgs& args, const StateDir& state) {
  std::optional<std::string> path;
  if (!args.path.empty()) path = args.path;
  auto entries = state.backups().list(path);
  if (!entries) return fail(entries.error());
  if (args.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : *entries) {
      out.push_back({{"id", e.id},
                     {"sha256", e.sha256},
                     {"path", e.path},
                     {"time", e.time},
                     {"size", e.size},
                     {"mode", fmt::format("{:04o}", e.mode)},
                     {"uid", e.uid},
                     {"gid", e.gid}});
    }
    std::printf("%s\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return exit_code::kDone;
  }
  if (entries->empty()) {
    std::printf("no backups%s\n", path ? fmt::format(" of '{}'", *path).c_str() : "");
    return exit_code::kDone;
  }
  std::printf("%-12s  %-20s  %10s  %-4s  %s\n", "ID", "TIME (UTC)", "SIZE", "MODE", "PATH");
  for (const auto& e : *entries) {
    std::printf("%-12s  %-20s  %10llu  %04o  %s\n", e.id.c_str(), timeText(e.time).c_str(),
                static_cast<unsigned long long>(e.size), e.mode,
                text::escapeControl(e.path).c_str());
  }
  return exit_code::kDone;
}

int restore(const BackupsArgs& args, StateDir& state) {
  bool interrupted = false;
  auto lock = state.lock(interrupted);
  if (!lock) return fail(lock.error());
  auto store = state.backups();
  std::optional<std::string> id;
  if (!args.to_id.empty()) id = args.to_id;
  auto entry = store.find(args.path, id);
  if (!entry) return fail(entry.error());
  auto content = store.read(*entry);
  if (!content) return fail(content.error());
  PosixHostOptions options;
  options.root = args.common.root;
  options.allowed_prefixes = allowedPrefixes(args.common);
  auto host = PosixHost::open(options);
  if (!host) return fail(host.error());
  // What is there now is kept too, so a restore can itself be undone.
  auto info = (*host)->stat(args.path);
  if (!info) return fail(info.error());
  if (info->type == FileType::Regular) {
    auto current = (*host)->readFile(args.path, 1ull << 32);
    if (!current) return fail(current.error());
    auto saved = store.save(args.path, *current, info->mode, info->uid, info->gid,
                            (*host)->nowNs() / 1'000'000'000);
    if (!saved) return fail(saved.error());
  }
  FileAttrs attrs;
  attrs.mode = entry->mode;
  attrs.uid = entry->uid;
  attrs.gid = entry->gid;
  if (auto written = (*host)->writeFile(args.path, *content, attrs, {}); !written) {
    return fail(written.error());
  }
  lock->markFinished();
  std::printf("restored %s to %s (%s)\n", text::escapeControl(args.path).c_str(), entry->id.c_str(),
              timeText(entry->time).c_str());
  return exit_code::kDone;
}

}  // namespace

CLI::App* addBackupsCommand(CLI::App& app, BackupsArgs& args) {
  auto* command =
      app.add_subcommand("backups", "List or restore backed-up versions of managed files");
  command->require_subcommand(1);
  args.list = command->add_subcommand("list", "List backups, oldest first");
  args.list->add_option("path", args.path, "Only backups of this managed path");
  args.list->add_flag("--json", args.json, "Print JSON");
  args.list->footer(
      "Example:\n  sc-agent backups list /etc/nginx/nginx.conf\n\nExit codes: 0 done, 1 error, 2 "
      "usage error");
  addCommonOptions(*args.list, args.common, /*with_root=*/false);
  args.restore = command->add_subcommand("restore", "Put a backed-up version of a file back");
  args.restore->add_option("path", args.path, "Managed path to restore")->required();
  args.restore->add_option("--to", args.to_id,
                           "Backup id (or a prefix of its sha256); default: the newest");
  args.restore->footer(
      "Example:\n  sc-agent backups restore /etc/nginx/nginx.conf --to 3fa9c02b1d7e\n\n"
      "Exit codes: 0 restored, 1 error, 2 usage error, 5 a run holds the lock");
  addCommonOptions(*args.restore, args.common, /*with_root=*/true);
  return command;
}

int runBackups(const BackupsArgs& args) {
  auto state = openStateDir(args.common);
  if (!state) return fail(state.error());
  if (args.list->parsed()) return list(args, *state);
  return restore(args, *state);
}

}  // namespace sc::agent::cli
