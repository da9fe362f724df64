#include "agent/resources/command.h"

namespace sc::agent {
namespace {

nlohmann::json splitLines(const std::string& text) {
  nlohmann::json lines = nlohmann::json::array();
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::string stripTrailingNewlines(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

}  // namespace

Result<std::unique_ptr<Resource>> CommandResource::create(const manifest::ResourceSpec& spec,
                                                          const ResourceContext& /*context*/) {
  std::unique_ptr<CommandResource> self(new CommandResource(spec));
  Params params(spec);
  if (spec.type == "shell") {
    SC_TRY_ASSIGN(const std::string cmd, params.requiredString("cmd"));
    SC_TRY_ASSIGN(const std::string executable, params.string("executable", "/bin/sh"));
    self->argv_ = {executable, "-c", cmd};
  } else {
    SC_TRY_ASSIGN(self->argv_, params.stringList("argv"));
    if (self->argv_.empty()) {
      return params.error("argv", "is required: the program and its arguments as a list");
    }
  }
  SC_TRY_ASSIGN(self->creates_, params.optionalString("creates"));
  SC_TRY_ASSIGN(self->removes_, params.optionalString("removes"));
  SC_TRY_ASSIGN(self->chdir_, params.string("chdir", ""));
  SC_TRY_ASSIGN(self->become_user_, params.string("become_user", ""));
  SC_TRY_ASSIGN(self->environment_, params.stringMap("environment"));
  SC_TRY_ASSIGN(self->stdin_, params.optionalString("stdin"));
  SC_TRY_ASSIGN(const bool add_newline, params.boolean("stdin_add_newline", true));
  if (self->stdin_ && add_newline) *self->stdin_ += "\n";
  SC_TRY_ASSIGN(self->strip_empty_ends_, params.boolean("strip_empty_ends", true));
  SC_TRY_ASSIGN(const auto timeout, params.integer("timeout"));
  if (timeout) {
    if (*timeout <= 0 || *timeout > 7 * 24 * 3600) {
      return params.error("timeout", "expected a number of seconds between 1 and 604800");
    }
    self->timeout_ = std::chrono::seconds(*timeout);
  }
  SC_TRY(params.finish());
  return std::unique_ptr<Resource>(std::move(self));
}

Result<void> CommandResource::validate() const {
  Params params(spec_);
  for (auto [key, value] : {std::pair{"creates", &creates_}, std::pair{"removes", &removes_}}) {
    if (*value) {
      if (auto checked = checkManagedPath(**value); !checked) {
        return params.error(key, checked.error().message(), ErrorCode::UnsafePath);
      }
    }
  }
  if (!chdir_.empty()) {
    if (auto checked = checkManagedPath(chdir_); !checked) {
      return params.error("chdir", checked.error().message(), ErrorCode::UnsafePath);
    }
  }
  for (const auto& arg : argv_) {
    if (arg.find('\0') != std::string::npos) {
      return params.error(spec_.type == "shell" ? "cmd" : "argv", "contains a NUL byte");
    }
  }
  for (const auto& [name, value] : environment_) {
    if (name.empty() || name.find_first_of("=\0", 0, 2) != std::string::npos) {
      return params.error("environment", fmt::format("bad variable name '{}'", name));
    }
  }
  return ok();
}

Result<State> CommandResource::observe(Host& host) const {
  State state = State::object();
  if (creates_) {
    SC_TRY_ASSIGN(const FileInfo info, host.stat(*creates_));
    if (info.exists()) state["skip_reason"] = fmt::format("skipped, since {} exists", *creates_);
  }
  if (removes_ && !state.contains("skip_reason")) {
    SC_TRY_ASSIGN(const FileInfo info, host.stat(*removes_));
    if (!info.exists()) {
      state["skip_reason"] = fmt::format("skipped, since {} does not exist", *removes_);
    }
  }
  return state;
}

std::string CommandResource::title() const {
  if (spec_.no_log) return fmt::format("{}[<redacted>]", spec_.type);
  std::string shown =
      spec_.type == "shell" ? argv_.back() : fmt::format("{}", fmt::join(argv_, " "));
  if (shown.size() > 60) shown = shown.substr(0, 57) + "...";
  for (auto& c : shown) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return fmt::format("{}[{}]", spec_.type, shown);
}

Diff CommandResource::diff(const State& current) const {
  if (current.contains("skip_reason")) return {};
  return Diff{{{"run",
                "",
                spec_.type == "shell" ? argv_.back() : fmt::format("{}", fmt::join(argv_, " ")),
                {},
                /*sensitive=*/true}}};
}

Result<void> CommandResource::apply(Host& host, const State& /*current*/, const Diff& /*diff*/,
                                    nlohmann::json& result) {
  Command command;
  command.argv = argv_;
  command.chdir = chdir_;
  command.user = become_user_;
  command.env = environment_;
  command.stdin_data = stdin_;
  command.timeout = timeout_;
  const auto started = host.nowNs();
  SC_TRY_ASSIGN(const CommandResult ran, host.run(command));
  const auto ended = host.nowNs();
  std::string out = strip_empty_ends_ ? stripTrailingNewlines(ran.stdout_text) : ran.stdout_text;
  std::string err = strip_empty_ends_ ? stripTrailingNewlines(ran.stderr_text) : ran.stderr_text;
  result["rc"] = ran.rc;
  result["stdout_lines"] = splitLines(out);
  result["stderr_lines"] = splitLines(err);
  result["stdout"] = std::move(out);
  result["stderr"] = std::move(err);
  result["cmd"] = spec_.type == "shell" ? nlohmann::json(argv_.back()) : nlohmann::json(argv_);
  result["delta_ms"] = (ended - started) / 1'000'000;
  if (ran.truncated) result["truncated"] = true;
  if (ran.rc != 0) {
    result["failed"] = true;
    result["msg"] = "non-zero return code";
  }
  return ok();
}

void CommandResource::describe(const State& current, nlohmann::json& result) const {
  if (current.contains("skip_reason")) {
    result["rc"] = 0;
    result["stdout"] = current["skip_reason"];
    result["stdout_lines"] = nlohmann::json::array({current["skip_reason"]});
    result["stderr"] = "";
    result["stderr_lines"] = nlohmann::json::array();
    result["msg"] = current["skip_reason"];
  }
}

}  // namespace sc::agent
