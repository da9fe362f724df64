// Regular expressions as Ansible's Python modules use them, on top of
// std::regex (ECMAScript). The common subset behaves the same; Python-only
// syntax the translation cannot honour ((?P<name>...), \A, \Z, lookbehind,
// inline flags other than a leading (?i)/(?m)/(?s)) is refused at validate
// time with a clear message rather than matching something else.
#pragma once

#include <regex>
#include <string>
#include <string_view>

#include "common/error.h"

namespace sc::agent {

struct PythonRegex {
  std::regex re;
  bool multiline = false;
};

// `multiline` is Python's re.MULTILINE (^ and $ at line boundaries).
Result<PythonRegex> compilePythonRegex(std::string_view pattern, bool multiline);

// Expands a Python replacement template (\1, \g<1>, \n, \t, \\) for one match.
std::string expandPythonTemplate(std::string_view templ, const std::smatch& match);

// Checks a template refers only to groups the pattern has.
Result<void> checkPythonTemplate(std::string_view templ, const std::regex& re);

}  // namespace sc::agent
