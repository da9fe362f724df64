// Base64 (RFC 4648 section 4, with padding). The decoder is strict: only
// the alphabet, padding only at the end, and unused bits zero, so every
// byte string has exactly one accepted encoding (a signature cannot be
// re-encoded into a second valid form: SECURITY.md B-15).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sc::text {

std::string base64Encode(std::string_view bytes);

// The bytes `text` encodes; nullopt for anything but the canonical form.
std::optional<std::string> base64Decode(std::string_view text);

}  // namespace sc::text
