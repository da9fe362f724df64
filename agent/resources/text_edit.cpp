#include "agent/resources/text_edit.h"

#include "common/large_stack.h"
#include "common/limits.h"

namespace sc::agent {

std::vector<std::string> splitKeepNewlines(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    end = end == std::string_view::npos ? text.size() : end + 1;
    lines.emplace_back(text.substr(start, end - start));
    start = end;
  }
  return lines;
}

std::vector<std::string> splitLinesKeepEnds(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' || text[i] == '\r') {
      if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      lines.emplace_back(text.substr(start, i + 1 - start));
      start = i + 1;
    }
  }
  if (start < text.size()) lines.emplace_back(text.substr(start));
  return lines;
}

std::string_view chompLine(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  return line;
}

std::string joinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += line;
  return out;
}

std::string TextEditResource::safeEdit(const std::string& current) const {
  if (!usesRegex()) return edit(current);
  return runWithLargeStack([&] { return edit(current); });
}

Result<void> TextEditResource::readCommon(Params& params, bool has_create) {
  SC_TRY_ASSIGN(path_, params.requiredString("path"));
  if (has_create) {
    SC_TRY_ASSIGN(create_, params.boolean("create", false));
  }
  SC_TRY_ASSIGN(backup_, params.boolean("backup", false));
  SC_TRY_ASSIGN(validate_, params.optionalString("validate"));
  SC_TRY_ASSIGN(attrs_, AttrSpec::read(params));
  return ok();
}

Result<void> TextEditResource::validate() const {
  Params params(spec_);
  if (auto checked = checkManagedPath(path_); !checked) {
    return params.error("path", checked.error().message(), ErrorCode::UnsafePath);
  }
  if (validate_) {
    if (auto argv = splitValidateCommand(*validate_); !argv) {
      return params.error("validate", argv.error().message());
    }
  }
  return ok();
}

Result<State> TextEditResource::observe(Host& host) const {
  SC_TRY_ASSIGN(State state, observeFile(host, path_, context_.max_file_bytes, attrs_, true));
  if (usesRegex() && state.value("size", std::uint64_t{0}) > limits::kMaxRegexSubjectBytes) {
    return Error(
        ErrorCode::TooLarge,
        fmt::format("'{}' is {} bytes; regular-expression edits are limited to {} bytes", path_,
                    state.value("size", std::uint64_t{0}), limits::kMaxRegexSubjectBytes));
  }
  if (!state["exists"].get<bool>() && !removing()) {
    if (!create_) {
      return Error(ErrorCode::NotFound,
                   fmt::format("'{}' does not exist{}", path_,
                               spec_.type == "replace" ? "" : "; set create: true to create it"));
    }
    SC_TRY_ASSIGN(const FileInfo parent, host.stat(parentPath(path_)));
    if (parent.type != FileType::Directory) {
      return Error(ErrorCode::NotFound,
                   fmt::format("parent directory of '{}' does not exist", path_));
    }
  }
  return state;
}

Diff TextEditResource::diff(const State& current) const {
  Diff out;
  const bool exists = current["exists"].get<bool>();
  if (!exists) {
    if (removing()) return out;
    const std::string created = safeEdit("");
    out.changes.push_back(creationChange(created, path_));
    attrs_.diff(current, 0644, false, out);
    return out;
  }
  const auto& have = current["content"].get_ref<const std::string&>();
  const std::string want = safeEdit(have);
  if (want != have) {
    out.changes.push_back(contentChange(have, want, path_));
  }
  attrs_.diff(current, current.value("mode_bits", mode_t{0644}), false, out);
  return out;
}

Result<void> TextEditResource::apply(Host& host, const State& current, const Diff& diff,
                                     nlohmann::json& result) {
  if (diff.has("state") || diff.has("content")) {
    const bool exists = current["exists"].get<bool>();
    const std::string content =
        exists ? safeEdit(current["content"].get_ref<const std::string&>()) : safeEdit("");
    WriteRequest request;
    request.path = &path_;
    request.content = content;
    request.attrs =
        attrs_.forNewFile(current, exists ? current.value("mode_bits", mode_t{0644}) : 0644, false);
    request.current = &current;
    request.validate = validate_;
    request.backup_file = backup_;
    request.no_log = spec_.no_log;
    return writeManagedFile(host, context_, request, result);
  }
  return host.setAttrs(path_, attrs_.fromDiff(diff, current));
}

}  // namespace sc::agent
