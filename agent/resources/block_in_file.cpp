// Follows Ansible's blockinfile module step by step so the same input gives
// the same bytes.
#include "agent/resources/block_in_file.h"

namespace sc::agent {
namespace {

std::string replaceAll(std::string text, std::string_view from, std::string_view to) {
  std::size_t at = 0;
  while ((at = text.find(from, at)) != std::string::npos) {
    text.replace(at, from.size(), to);
    at += to.size();
  }
  return text;
}

}  // namespace

Result<std::unique_ptr<Resource>> BlockInFileResource::create(const manifest::ResourceSpec& spec,
                                                              const ResourceContext& context) {
  std::unique_ptr<BlockInFileResource> self(new BlockInFileResource(spec, context));
  Params params(spec);
  SC_TRY(self->readCommon(params, /*has_create=*/true));
  SC_TRY_ASSIGN(self->block_, params.string("block", ""));
  SC_TRY_ASSIGN(self->marker_, params.string("marker", self->marker_));
  SC_TRY_ASSIGN(self->marker_begin_, params.string("marker_begin", self->marker_begin_));
  SC_TRY_ASSIGN(self->marker_end_, params.string("marker_end", self->marker_end_));
  SC_TRY_ASSIGN(self->insert_after_, params.optionalString("insertafter"));
  SC_TRY_ASSIGN(self->insert_before_, params.optionalString("insertbefore"));
  SC_TRY_ASSIGN(const std::string state, params.string("state", "present"));
  if (state != "present" && state != "absent") {
    return params.error("state",
                        fmt::format("unknown state '{}'; expected present or absent", state));
  }
  self->absent_ = state == "absent";
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

Result<void> BlockInFileResource::validate() const {
  SC_TRY(TextEditResource::validate());
  Params params(spec_);
  if (insert_after_ && insert_before_) {
    return params.error("insertbefore", "insertafter and insertbefore are mutually exclusive");
  }
  if (marker_.find("{mark}") == std::string::npos) {
    return params.error("marker", "must contain '{mark}'");
  }
  if (marker_begin_ == marker_end_) {
    return params.error("marker_end", "must differ from marker_begin");
  }
  for (const auto* text : {&marker_, &marker_begin_, &marker_end_}) {
    if (text->find('\n') != std::string::npos) {
      return params.error(
          text == &marker_ ? "marker" : (text == &marker_begin_ ? "marker_begin" : "marker_end"),
          "must be a single line");
    }
  }
  return ok();
}

std::string BlockInFileResource::edit(const std::string& current) const {
  auto lines = splitLinesKeepEnds(current);
  const std::string newline = "\n";
  const std::string begin = replaceAll(marker_, "{mark}", marker_begin_) + newline;
  const std::string end = replaceAll(marker_, "{mark}", marker_end_) + newline;
  std::vector<std::string> block_lines;
  if (!absent_ && !block_.empty()) {
    std::string block = block_;
    if (block.back() != '\n') block += newline;
    block_lines.push_back(begin);
    for (auto& line : splitLinesKeepEnds(block)) block_lines.push_back(std::move(line));
    block_lines.push_back(end);
  }
  std::optional<std::size_t> n0;
  std::optional<std::size_t> n1;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i] == begin) n0 = i;
    if (lines[i] == end) n1 = i;
  }
  // With neither insertafter nor insertbefore, the block goes at EOF.
  const bool after_eof = !insert_before_ && (!insert_after_ || *insert_after_ == "EOF");
  std::size_t at = 0;
  if (!n0 || !n1) {
    std::optional<std::size_t> found;
    if (insert_re_) {
      for (std::size_t i = 0; i < lines.size(); ++i) {
        // Searched with its line end, as Ansible does (see compilePythonRegex).
        if (std::regex_search(lines[i], insert_re_->re)) found = i;
      }
      if (found && insert_after_) *found += 1;
      // No match: the block goes at EOF, as Ansible does.
      at = found.value_or(lines.size());
    } else if (!after_eof) {
      at = 0;  // insertbefore: BOF (insertafter: BOF is not an Ansible value; treated the same)
    } else {
      at = lines.size();
    }
  } else if (*n0 < *n1) {
    lines.erase(lines.begin() + static_cast<long>(*n0), lines.begin() + static_cast<long>(*n1) + 1);
    at = *n0;
  } else {
    lines.erase(lines.begin() + static_cast<long>(*n1), lines.begin() + static_cast<long>(*n0) + 1);
    at = *n1;
  }
  if (at > 0 && (lines[at - 1].empty() || lines[at - 1].back() != '\n')) lines[at - 1] += newline;
  lines.insert(lines.begin() + static_cast<long>(at), block_lines.begin(), block_lines.end());
  return joinLines(lines);
}

}  // namespace sc::agent
