// The grammar of the host names that name certificates, sessions, stored
// reports and files under the controller's state (SECURITY.md B-18, T-21):
// 1 to 253 bytes of ASCII letters, digits, '-', '_' and '.', starting with a
// letter or digit, with no empty label ("..", or a '.' at either end).
// Nothing else (no '/', no '*', no control or non-ASCII byte) can become a
// path component or a header line.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"

namespace sc::text {

inline constexpr std::size_t kMaxHostNameBytes = 253;

// InvalidArgument naming the first rule `name` breaks; the name itself is
// shown escaped (text/escape.h), so it cannot inject into logs or mail.
Result<void> checkHostName(std::string_view name);

}  // namespace sc::text
