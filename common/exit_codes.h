// Process exit codes shared by sc-agent and scctl (STYLE.md section 8).
#pragma once

namespace sc::exit_code {

inline constexpr int kDone = 0;  // everything converged (or nothing to do)
inline constexpr int kFailed =
    1;                            // some resource failed; scctl apply: a host failed or was refused
inline constexpr int kUsage = 2;  // bad command line
inline constexpr int kRejected = 3;        // input refused before anything ran
inline constexpr int kChangesPending = 4;  // check mode found changes (--detailed-exitcode)
inline constexpr int kBusy = 5;            // another run holds the lock (SECURITY.md F-08)
inline constexpr int kUnreachable =
    6;  // scctl apply: every host reached converged, some were unreachable

}  // namespace sc::exit_code
