// Line-based unified diffs for `--diff` output and reports. Pure functions:
// the same diff text is shown for check mode, apply and drift.
#pragma once

#include <string>
#include <string_view>

namespace sc::text {

// Unified diff (3 lines of context) from `before` to `after`, with
// "--- before_label" / "+++ after_label" headers. Empty when equal.
// Inputs over a few thousand changed lines get a one-line summary instead.
std::string unifiedDiff(std::string_view before, std::string_view after,
                        std::string_view before_label, std::string_view after_label);

}  // namespace sc::text
