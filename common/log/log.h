// Logging set-up. The logger is the one global (STYLE.md section 5): main()
// calls setupLogging() once; everything else uses spdlog's free functions.
// Log lines go to stderr, context first, values in single quotes, and every
// value from outside passes through text::escapeControl() (T-20).
#pragma once

#include <spdlog/spdlog.h>

namespace sc::log {

enum class Verbosity { Quiet, Normal, Verbose, Debug };

void setupLogging(Verbosity verbosity);

}  // namespace sc::log
