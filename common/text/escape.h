// Making untrusted text safe to print: control bytes (C0, DEL, and the C1
// range when not part of valid UTF-8) become \xNN, so a hostname or report
// message cannot inject terminal escapes or mail headers (SECURITY.md T-20).
#pragma once

#include <string>
#include <string_view>

namespace sc::text {

// Escapes every control byte, including newlines.
std::string escapeControl(std::string_view text);

// Same, but keeps '\n' and '\t' (for multi-line diffs shown to a person).
std::string escapeControlKeepLines(std::string_view text);

}  // namespace sc::text
