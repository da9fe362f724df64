// The algorithm follows Ansible's lineinfile module step by step (its
// present() and absent()), so that the same file and parameters give the
// same bytes; tests/integration compares the two.
#include "agent/resources/line_in_file.h"

namespace sc::agent {
namespace {

bool search(const PythonRegex& re, std::string_view line) {
  // As Ansible does, the line is searched with its line end: compilePythonRegex
  // gives `$` Python's meaning (the end, or before a final '\n' but not '\r').
  return std::regex_search(line.begin(), line.end(), re.re);
}

}  // namespace

Result<std::unique_ptr<Resource>> LineInFileResource::create(const manifest::ResourceSpec& spec,
                                                             const ResourceContext& context) {
  std::unique_ptr<LineInFileResource> self(new LineInFileResource(spec, context));
  Params params(spec);
  SC_TRY(self->readCommon(params, /*has_create=*/true));
  SC_TRY_ASSIGN(self->line_, params.optionalString("line"));
  SC_TRY_ASSIGN(self->regexp_text_, params.optionalString("regexp"));
  SC_TRY_ASSIGN(self->search_string_, params.optionalString("search_string"));
  SC_TRY_ASSIGN(self->insert_after_, params.optionalString("insertafter"));
  SC_TRY_ASSIGN(self->insert_before_, params.optionalString("insertbefore"));
  SC_TRY_ASSIGN(const std::string state, params.string("state", "present"));
  if (state != "present" && state != "absent") {
    return params.error("state",
                        fmt::format("unknown state '{}'; expected present or absent", state));
  }
  self->absent_ = state == "absent";
  SC_TRY_ASSIGN(self->backrefs_, params.boolean("backrefs", false));
  SC_TRY_ASSIGN(self->firstmatch_, params.boolean("firstmatch", false));
  if (self->regexp_text_) {
    auto re = compilePythonRegex(*self->regexp_text_, false);
    if (!re) return params.error("regexp", re.error().message());
    self->regexp_ = std::move(*re);
  }
  const auto& insert = self->insert_after_ ? self->insert_after_ : self->insert_before_;
  if (insert && *insert != "EOF" && *insert != "BOF") {
    auto re = compilePythonRegex(*insert, false);
    if (!re)
      return params.error(self->insert_after_ ? "insertafter" : "insertbefore",
                          re.error().message());
    self->insert_re_ = std::move(*re);
  }
  SC_TRY(params.finish());
  return std::unique_ptr<Resource>(std::move(self));
}

Result<void> LineInFileResource::validate() const {
  SC_TRY(TextEditResource::validate());
  Params params(spec_);
  if (regexp_text_ && search_string_) {
    return params.error("search_string", "regexp and search_string are mutually exclusive");
  }
  if (insert_after_ && insert_before_) {
    return params.error("insertbefore", "insertafter and insertbefore are mutually exclusive");
  }
  if (!absent_ && !line_) return params.error("line", "is required with state present");
  if (absent_ && !line_ && !regexp_text_ && !search_string_) {
    return params.error("line",
                        "one of line, regexp or search_string is required with state absent");
  }
  if (backrefs_ && !regexp_text_) return params.error("backrefs", "needs regexp");
  if (regexp_text_ && regexp_text_->empty()) {
    return params.error("regexp", "is empty, which would match every line");
  }
  if (search_string_ && search_string_->empty()) {
    return params.error("search_string", "is empty, which would match every line");
  }
  if (backrefs_ && line_ && regexp_) {
    if (auto checked = checkPythonTemplate(*line_, regexp_->re); !checked) {
      return params.error("line", checked.error().message());
    }
  }
  return ok();
}

std::string LineInFileResource::edit(const std::string& current) const {
  auto lines = splitKeepNewlines(current);
  return absent_ ? remove(std::move(lines)) : present(std::move(lines));
}

std::string LineInFileResource::present(std::vector<std::string> lines) const {
  const std::string& line = *line_;
  const std::string newline = "\n";
  long found = -1;   // index of the line regexp/search_string/exact text matched
  long insert = -1;  // index where insertafter/insertbefore points
  std::smatch match;
  std::string matched_line;
  bool matched = false;
  bool exact_line_match = false;

  if (regexp_) {
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (search(*regexp_, lines[i])) {
        found = static_cast<long>(i);
        matched = true;
        matched_line = lines[i];
        if (firstmatch_) break;
      }
    }
  }
  if (search_string_) {
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (lines[i].find(*search_string_) != std::string::npos) {
        found = static_cast<long>(i);
        matched = true;
        if (firstmatch_) break;
      }
    }
  }
  if (!matched) {
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (chompLine(lines[i]) == line) {
        found = static_cast<long>(i);
        exact_line_match = true;
      } else if (insert_re_ && search(*insert_re_, lines[i])) {
        if (insert_after_) {
          insert = static_cast<long>(i) + 1;
          if (firstmatch_) break;
        }
        if (insert_before_) {
          insert = static_cast<long>(i);
          if (firstmatch_) break;
        }
      }
    }
  }
  const auto at = [&](long index) -> std::string& {
    return lines[static_cast<std::size_t>(index)];
  };
  const auto ends_with_newline = [](const std::string& text) {
    return !text.empty() && (text.back() == '\n' || text.back() == '\r');
  };

  if (found != -1) {
    std::string new_line = line;
    if (backrefs_ && matched && regexp_) {
      std::regex_search(matched_line, match, regexp_->re);
      new_line = expandPythonTemplate(line, match);
    }
    if (new_line.size() < newline.size() ||
        new_line.compare(new_line.size() - newline.size(), newline.size(), newline) != 0) {
      new_line += newline;
    }
    const bool nothing_given = !regexp_ && !search_string_ && !matched;
    if (nothing_given && !exact_line_match) {
      // Unreachable in practice: found != -1 without a match means an exact match.
    } else if (at(found) != new_line) {
      at(found) = new_line;
    }
  } else if (backrefs_) {
    // Without a match there is nothing to fill the backreferences with.
  } else if ((insert_before_ && *insert_before_ == "BOF") ||
             (insert_after_ && *insert_after_ == "BOF")) {
    lines.insert(lines.begin(), line + newline);
  } else if ((insert_after_ && *insert_after_ == "EOF") || insert == -1) {
    if (!lines.empty() && !ends_with_newline(lines.back())) lines.push_back(newline);
    lines.push_back(line + newline);
  } else if (insert_after_ && insert != -1) {
    if (static_cast<long>(lines.size()) == insert) {
      if (chompLine(at(insert - 1)) != line) lines.push_back(line + newline);
    } else if (line != chompLine(at(insert))) {
      lines.insert(lines.begin() + insert, line + newline);
    }
  } else {
    lines.insert(lines.begin() + insert, line + newline);
  }
  return joinLines(lines);
}

std::string LineInFileResource::remove(std::vector<std::string> lines) const {
  std::vector<std::string> kept;
  kept.reserve(lines.size());
  for (auto& current : lines) {
    bool hit = false;
    if (regexp_) {
      hit = search(*regexp_, current);
    } else if (search_string_) {
      hit = current.find(*search_string_) != std::string::npos;
    } else {
      hit = chompLine(current) == *line_;
    }
    if (!hit) kept.push_back(std::move(current));
  }
  return joinLines(kept);
}

}  // namespace sc::agent
