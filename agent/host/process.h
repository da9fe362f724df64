// Running a child process for PosixHost: argv only, never a shell string
// (SECURITY.md T-27); its own process group so a timeout kills the whole
// tree (F-09); an allowlisted environment (T-30); output captured up to
// limits::kMaxCommandOutputBytes each.
#pragma once

#include <string>

#include "agent/host/host.h"

namespace sc::agent {

// Variables children inherit from the agent; everything else is dropped.
inline constexpr const char* kInheritedEnvironment[] = {"PATH", "LANG", "LC_ALL", "LC_CTYPE",
                                                        "TZ",   "HOME", "USER",   "LOGNAME"};

// `cwd` is a real path. On timeout the group is killed and the error is
// ErrorCode::Timeout; a program that cannot start gives rc 127 (as a shell
// would) with the reason in stderr_text.
Result<CommandResult> runProcess(const Command& command, const std::string& cwd);

}  // namespace sc::agent
