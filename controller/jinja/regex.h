// Python `re` semantics for the regex filters and tests, on the shared
// translation in common/text/python_regex.h (Python-only syntax is refused
// there with a message naming it). Matching runs on a large stack and over
// text capped at limits::kMaxRegexSubjectBytes (common/large_stack.h says
// why: std::regex recurses per character).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/text/python_regex.h"

namespace sc::controller::jinja {

Result<PythonRegex> compileRegex(std::string_view pattern, bool ignorecase, bool multiline);

// Group 0 is the whole match; groups that did not take part are nullopt.
struct RegexMatch {
  std::vector<std::optional<std::string>> groups;
};

enum class RegexAnchor { None, Start, Full };  // re.search, re.match, re.fullmatch

Result<std::optional<RegexMatch>> regexSearch(const PythonRegex& re, const std::string& subject,
                                              RegexAnchor anchor);
Result<std::vector<RegexMatch>> regexFindAll(const PythonRegex& re, const std::string& subject);
// re.sub with a Python replacement template (\1, \g<1>, \n).
Result<std::string> regexSub(const PythonRegex& re, const std::string& subject,
                             const std::string& replacement);

}  // namespace sc::controller::jinja
