// Splitting a command line into words as Python's shlex.split() does
// (POSIX rules, no comments), which is how Ansible's command module turns
// `command: /usr/bin/make "a b" c\ d` into argv. No expansion of any kind.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace sc::controller::modules {

// An unterminated quote or a trailing backslash is an error.
Result<std::vector<std::string>> splitShellWords(std::string_view line);

}  // namespace sc::controller::modules
