#include "agent/resources/file_support.h"

#include <ctime>

#include "common/hash.h"
#include "common/limits.h"
#include "common/text/diff.h"

namespace sc::agent {
namespace {

bool isOctal(std::string_view spec) {
  return (spec.size() == 3 || spec.size() == 4) &&
         spec.find_first_not_of("01234567") == std::string_view::npos;
}

// One symbolic clause: [ugoa]*([-+=][rwxXst]*)+
Result<mode_t> applyClause(std::string_view clause, mode_t mode, bool is_directory,
                           mode_t original) {
  const auto bad = [&](std::string_view why) {
    return Error(ErrorCode::Schema, fmt::format("bad mode clause '{}': {}", clause, why));
  };
  std::size_t i = 0;
  mode_t who = 0;
  while (i < clause.size() && std::string_view("ugoa").find(clause[i]) != std::string_view::npos) {
    switch (clause[i]) {
      case 'u':
        who |= 04700;
        break;
      case 'g':
        who |= 02070;
        break;
      case 'o':
        who |= 01007;
        break;
      default:
        who |= 07777;
        break;
    }
    ++i;
  }
  if (who == 0) who = 07777;
  if (i == clause.size()) return bad("expected an operator (+, - or =)");
  while (i < clause.size()) {
    const char op = clause[i++];
    if (op != '+' && op != '-' && op != '=') return bad(fmt::format("unexpected '{}'", op));
    mode_t bits = 0;
    while (i < clause.size() && clause[i] != '+' && clause[i] != '-' && clause[i] != '=') {
      switch (clause[i]) {
        case 'r':
          bits |= 0444;
          break;
        case 'w':
          bits |= 0222;
          break;
        case 'x':
          bits |= 0111;
          break;
        case 'X':
          if (is_directory || (original & 0111) != 0) bits |= 0111;
          break;
        case 's':
          bits |= 06000;
          break;
        case 't':
          bits |= 01000;
          break;
        default:
          return bad(fmt::format("unknown permission '{}'", clause[i]));
      }
      ++i;
    }
    bits &= who;
    if (op == '+') {
      mode |= bits;
    } else if (op == '-') {
      mode &= ~bits;
    } else {
      // '=' clears the classes named (but not the set-id bits of others).
      mode_t clear = who & 0777;
      if (who & 04000 && who & 0700) clear |= 04000;
      if (who & 02000 && who & 0070) clear |= 02000;
      if (who & 01000 && who & 0007) clear |= 01000;
      mode = (mode & ~clear) | bits;
    }
  }
  return mode;
}

std::vector<std::string> shellSplit(const std::string& command, bool& ok) {
  std::vector<std::string> out;
  std::string current;
  bool in_token = false;
  char quote = 0;
  ok = true;
  for (std::size_t i = 0; i < command.size(); ++i) {
    const char c = command[i];
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else if (c == '\\' && quote == '"' && i + 1 < command.size()) {
        current += command[++i];
      } else {
        current += c;
      }
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      in_token = true;
    } else if (c == '\\' && i + 1 < command.size()) {
      current += command[++i];
      in_token = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_token) out.push_back(std::move(current));
      current.clear();
      in_token = false;
    } else {
      current += c;
      in_token = true;
    }
  }
  if (quote != 0) ok = false;
  if (in_token) out.push_back(std::move(current));
  return out;
}

bool looksBinary(std::string_view text) { return text.find('\0') != std::string_view::npos; }

}  // namespace

std::string modeText(mode_t mode) { return fmt::format("{:04o}", mode & 07777); }

Result<mode_t> resolveMode(std::string_view spec, mode_t current, bool is_directory) {
  if (spec.empty()) return Error(ErrorCode::Schema, "mode is empty");
  if (std::isdigit(static_cast<unsigned char>(spec[0]))) {
    if (!isOctal(spec)) {
      return Error(ErrorCode::Schema,
                   fmt::format("bad mode '{}': expected an octal string such as \"0644\" or a "
                               "symbolic mode such as \"u=rw,g=r,o=r\"",
                               spec));
    }
    return static_cast<mode_t>(std::stoul(std::string(spec), nullptr, 8));
  }
  mode_t mode = current & 07777;
  std::size_t start = 0;
  while (start <= spec.size()) {
    auto end = spec.find(',', start);
    if (end == std::string_view::npos) end = spec.size();
    SC_TRY_ASSIGN(mode, applyClause(spec.substr(start, end - start), mode, is_directory, current));
    start = end + 1;
  }
  return mode;
}

Result<AttrSpec> AttrSpec::read(Params& params) {
  AttrSpec spec;
  SC_TRY_ASSIGN(spec.owner_, params.optionalString("owner"));
  SC_TRY_ASSIGN(spec.group_, params.optionalString("group"));
  if (auto raw = params.raw("mode")) {
    if (!raw->is_string()) {
      return params.error("mode", fmt::format("expected an octal string such as \"0644\", got {}",
                                              raw->type_name()));
    }
    spec.mode_ = raw->get<std::string>();
    if (auto checked = resolveMode(*spec.mode_, 0, false); !checked) {
      return params.error("mode", checked.error().message(), ErrorCode::Schema);
    }
  }
  for (const auto* name : {&spec.owner_, &spec.group_}) {
    if (!*name) continue;
    const auto& value = **name;
    const bool bad_chars = value.empty() || value.size() > 32 || value.front() == '-' ||
                           value.find_first_of(" \t\n:/;|&$`'\"\\") != std::string::npos;
    if (bad_chars) {
      return params.error(name == &spec.owner_ ? "owner" : "group",
                          fmt::format("bad user or group name '{}'", value));
    }
    if (value.find_first_not_of("0123456789") == std::string::npos && value.size() >= 10) {
      return params.error(name == &spec.owner_ ? "owner" : "group",
                          fmt::format("id {} is out of range", value));
    }
  }
  return spec;
}

Result<void> AttrSpec::observe(Host& host, const FileInfo& info, State& state) const {
  if (info.exists()) {
    state["mode"] = modeText(info.mode);
    state["uid"] = info.uid;
    state["gid"] = info.gid;
    state["owner"] = host.userName(info.uid);
    state["group"] = host.groupName(info.gid);
  }
  if (owner_) {
    auto uid = host.userId(*owner_);
    if (!uid) return Error(ErrorCode::NotFound, fmt::format("unknown user '{}'", *owner_));
    state["want_uid"] = *uid;
  }
  if (group_) {
    auto gid = host.groupId(*group_);
    if (!gid) return Error(ErrorCode::NotFound, fmt::format("unknown group '{}'", *group_));
    state["want_gid"] = *gid;
  }
  return ok();
}

void AttrSpec::diff(const State& state, mode_t base_mode, bool is_directory, Diff& out) const {
  const bool exists = state.contains("mode");
  if (owner_ && (!exists || state["uid"] != state["want_uid"])) {
    out.changes.push_back({"owner", exists ? state.value("owner", "") : "", *owner_, {}, false});
  }
  if (group_ && (!exists || state["gid"] != state["want_gid"])) {
    out.changes.push_back({"group", exists ? state.value("group", "") : "", *group_, {}, false});
  }
  if (mode_) {
    auto wanted = resolveMode(*mode_, base_mode, is_directory);
    const std::string want_text = wanted ? modeText(*wanted) : *mode_;
    const std::string have_text = exists ? state.value("mode", "") : "";
    if (!exists || have_text != want_text) {
      out.changes.push_back({"mode", have_text, want_text, {}, false});
    }
  }
}

FileAttrs AttrSpec::fromDiff(const Diff& diff, const State& state) const {
  FileAttrs attrs;
  if (diff.has("owner") && state.contains("want_uid")) attrs.uid = state["want_uid"].get<uid_t>();
  if (diff.has("group") && state.contains("want_gid")) attrs.gid = state["want_gid"].get<gid_t>();
  if (const auto* change = diff.find("mode")) {
    attrs.mode = static_cast<mode_t>(std::stoul(change->after, nullptr, 8));
  }
  return attrs;
}

FileAttrs AttrSpec::forNewFile(const State& state, mode_t base_mode, bool is_directory) const {
  FileAttrs attrs;
  if (state.contains("want_uid")) attrs.uid = state["want_uid"].get<uid_t>();
  if (state.contains("want_gid")) attrs.gid = state["want_gid"].get<gid_t>();
  if (mode_) {
    if (auto mode = resolveMode(*mode_, base_mode, is_directory)) attrs.mode = *mode;
  }
  return attrs;
}

std::string AttrSpec::fingerprint() const {
  return fmt::format("{}:{}:{}", owner_.value_or("-"), group_.value_or("-"), mode_.value_or("-"));
}

Result<State> observeFile(Host& host, const std::string& path, std::uint64_t max_bytes,
                          const AttrSpec& attrs, bool read_content) {
  SC_TRY_ASSIGN(const FileInfo info, host.stat(path));
  State state = State::object();
  state["exists"] = info.exists();
  if (info.exists() && info.type != FileType::Regular) {
    if (info.type == FileType::Symlink) {
      return Error(
          ErrorCode::UnsafePath,
          fmt::format("'{}' is a symlink; managed files are never written through links", path));
    }
    return Error(ErrorCode::UnsupportedFileType,
                 fmt::format("'{}' is a {}, not a regular file", path, fileTypeName(info.type)));
  }
  if (info.exists()) {
    state["size"] = info.size;
    state["mode_bits"] = info.mode;
    state["nlink"] = info.nlink;
    if (read_content) {
      SC_TRY_ASSIGN(std::string content, host.readFile(path, max_bytes));
      state["content"] = std::move(content);
    }
  }
  SC_TRY(attrs.observe(host, info, state));
  return state;
}

Result<std::vector<std::string>> splitValidateCommand(const std::string& command) {
  bool balanced = true;
  auto argv = shellSplit(command, balanced);
  if (!balanced) {
    return Error(ErrorCode::Schema, fmt::format("unbalanced quotes in '{}'", command));
  }
  std::size_t placeholders = 0;
  for (const auto& arg : argv) {
    if (arg == "%s") {
      ++placeholders;
    } else if (arg.find("%s") != std::string::npos) {
      return Error(ErrorCode::Schema,
                   fmt::format("'%s' must be a whole argument in '{}' (the command runs without "
                               "a shell)",
                               command));
    }
  }
  if (placeholders != 1) {
    return Error(ErrorCode::Schema,
                 fmt::format("validate command '{}' must contain '%s' exactly once", command));
  }
  if (argv.front() == "%s") {
    return Error(ErrorCode::Schema, "validate command must not start with '%s'");
  }
  // `sh -c %s` would run the staged file as a script (T-27); `sh -n %s`,
  // a syntax check, stays allowed.
  const std::string program = argv.front().substr(argv.front().rfind('/') + 1);
  for (std::string_view shell : {"sh", "bash", "dash", "zsh", "ksh", "mksh", "busybox"}) {
    if (program != shell) continue;
    for (const auto& arg : argv) {
      if (arg.size() > 1 && arg[0] == '-' && arg[1] != '-' && arg.find('c') != std::string::npos) {
        return Error(ErrorCode::Schema,
                     fmt::format("validate command '{}' must not run a shell with -c; give the "
                                 "validator and its arguments",
                                 command));
      }
    }
  }
  return argv;
}

std::string contentDiff(std::string_view before, std::string_view after, const std::string& path) {
  if (looksBinary(before) || looksBinary(after)) {
    return fmt::format("Binary content of {} differs (sha256 {} -> {})\n", path,
                       sha256Hex(before).substr(0, 12), sha256Hex(after).substr(0, 12));
  }
  return text::unifiedDiff(before, after, path + " (current)", path + " (desired)");
}

Change creationChange(std::string_view content, const std::string& path) {
  return {"state", "absent", "file", contentDiff("", content, path), /*sensitive=*/true};
}

Change contentChange(std::string_view have, std::string_view want, const std::string& path) {
  return {"content", "sha256:" + sha256Hex(have).substr(0, 12),
          "sha256:" + sha256Hex(want).substr(0, 12), contentDiff(have, want, path),
          /*sensitive=*/true};
}

Result<void> writeManagedFile(Host& host, const ResourceContext& context,
                              const WriteRequest& request, nlohmann::json& result) {
  const std::string& path = *request.path;
  const State& current = *request.current;
  const bool exists = current.value("exists", false);
  if (exists && context.backup) {
    const auto& old = current["content"].get_ref<const std::string&>();
    FileInfo info;
    info.type = FileType::Regular;
    info.mode = current.value("mode_bits", mode_t{0644});
    info.uid = current.value("uid", uid_t{0});
    info.gid = current.value("gid", gid_t{0});
    SC_TRY(context.backup(path, old, info));
    if (request.backup_file) {
      // Ansible names its backups path.<pid>.<YYYY-MM-DD@HH:MM:SS>~.
      const std::time_t now = static_cast<std::time_t>(host.nowNs() / 1'000'000'000);
      std::tm tm{};
      ::localtime_r(&now, &tm);
      char stamp[32];
      std::strftime(stamp, sizeof stamp, "%Y-%m-%d@%H:%M:%S", &tm);
      const std::string backup_path = fmt::format("{}.{}.{}~", path, ::getpid(), stamp);
      FileAttrs backup_attrs;
      backup_attrs.mode = info.mode;
      SC_TRY(host.writeFile(backup_path, old, backup_attrs, {}));
      result["backup_file"] = backup_path;
    }
  }
  BeforeCommit before_commit;
  if (request.validate) {
    SC_TRY_ASSIGN(auto argv_template, splitValidateCommand(*request.validate));
    before_commit = [&host, argv_template,
                     no_log = request.no_log](const std::string& staged) -> Result<void> {
      Command command;
      command.argv = argv_template;
      for (auto& arg : command.argv) {
        if (arg == "%s") arg = staged;
      }
      command.timeout = std::chrono::minutes(5);
      SC_TRY_ASSIGN(const CommandResult ran, host.run(command));
      if (ran.rc != 0) {
        std::string message = no_log ? std::string("<redacted>") : ran.stderr_text;
        if (message.empty() && !no_log) message = ran.stdout_text;
        if (message.size() > limits::kMaxValidatorMessageBytes) {
          message.resize(limits::kMaxValidatorMessageBytes);
        }
        while (!message.empty() && message.back() == '\n') message.pop_back();
        return Error(
            ErrorCode::ValidationFailed,
            fmt::format("validation failed: '{}' exited {}", argv_template.front(), ran.rc), {},
            message);
      }
      return ok();
    };
  }
  return host.writeFile(path, request.content, request.attrs, before_commit);
}

}  // namespace sc::agent
