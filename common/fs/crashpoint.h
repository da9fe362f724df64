// Test-only crash points (SECURITY.md F-01). In builds with
// SC_ENABLE_CRASHPOINTS (the `dev` preset), the environment variable
// SC_CRASHPOINT=N makes the process SIGKILL itself at the N-th crash point
// it reaches, counting from 1, so tests can stop it between any two steps
// of a file replacement. Release builds compile this to nothing and ignore
// the variable (tests/integration check both).
#pragma once

#include <string_view>

namespace sc::fs {

#ifdef SC_ENABLE_CRASHPOINTS
void crashpoint(std::string_view name);
#else
inline void crashpoint(std::string_view /*name*/) {}
#endif

}  // namespace sc::fs
