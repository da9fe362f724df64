// The common part of the kinds that edit a text file in place (lineinfile,
// blockinfile, replace): they differ only in how the new text is computed
// from the old, so observe, diff and apply live here and each kind supplies
// edit(). Writing goes through writeManagedFile (backup, validate, atomic).
#pragma once

#include <optional>
#include <string>

#include "agent/resources/file_support.h"

namespace sc::agent {

class TextEditResource : public Resource {
 public:
  Result<void> validate() const override;
  Result<State> observe(Host& host) const override;
  Diff diff(const State& current) const override;
  Result<void> apply(Host& host, const State& current, const Diff& diff,
                     nlohmann::json& result) override;
  std::string title() const override { return spec_.type + "[" + path_ + "]"; }

 protected:
  TextEditResource(const manifest::ResourceSpec& spec, const ResourceContext& context)
      : spec_(spec), context_(context) {}

  // Reads path, backup, validate, owner/group/mode and, when the kind has
  // it, create.
  Result<void> readCommon(Params& params, bool has_create);

  // The new text for `current` (empty when the file does not exist yet).
  virtual std::string edit(const std::string& current) const = 0;
  // True when the kind removes text (state: absent): a missing file is fine.
  virtual bool removing() const { return false; }
  // True when edit() runs regular expressions over the content: such files
  // are capped at limits::kMaxRegexSubjectBytes (common/large_stack.h).
  virtual bool usesRegex() const = 0;

  const manifest::ResourceSpec& spec_;
  ResourceContext context_;
  std::string path_;

 private:
  // edit() on a thread with a deep stack (std::regex recurses per character).
  std::string safeEdit(const std::string& current) const;

  bool create_ = false;
  bool backup_ = false;
  std::optional<std::string> validate_;
  AttrSpec attrs_;
};

// Splits text after each '\n' (Python's readlines()); the last piece may
// lack a newline.
std::vector<std::string> splitKeepNewlines(std::string_view text);

// Splits after '\n', '\r\n' or '\r' (Python's bytes.splitlines(True)).
std::vector<std::string> splitLinesKeepEnds(std::string_view text);

// A line without its trailing "\r\n" / "\n" / "\r".
std::string_view chompLine(std::string_view line);

std::string joinLines(const std::vector<std::string>& lines);

}  // namespace sc::agent
