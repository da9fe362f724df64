// Regular expressions as Ansible's Python code uses them (modules on the
// agent, regex filters and tests in the controller's Jinja2 engine), on top
// of std::regex (ECMAScript). The common subset behaves the same;
// Python-only syntax the translation cannot honour ((?P<name>...), \A, \Z,
// lookbehind, inline flags other than a leading (?i)/(?m)/(?s)) is refused
// with a clear message rather than matching something else.
#pragma once

#include <regex>
#include <string>
#include <string_view>

#include "common/error.h"

namespace sc {

struct PythonRegex {
  std::regex re;
  bool multiline = false;
};

// `multiline` is Python's re.MULTILINE (^ and $ at line boundaries);
// `ignorecase` is re.IGNORECASE.
Result<PythonRegex> compilePythonRegex(std::string_view pattern, bool multiline,
                                       bool ignorecase = false);

// Expands a Python replacement template (\1, \g<1>, \n, \t, \\) for one match.
std::string expandPythonTemplate(std::string_view templ, const std::smatch& match);

// Checks a template refers only to groups the pattern has.
Result<void> checkPythonTemplate(std::string_view templ, const std::regex& re);

}  // namespace sc
