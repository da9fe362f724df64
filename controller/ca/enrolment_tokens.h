// One-time, expiring, host-bound enrolment tokens (SECURITY.md T-11).
//
// A token reads "sc1.SECRET.CAFP": SECRET is 32 random bytes in hex, CAFP
// the SHA-256 fingerprint of the CA certificate. The agent uses CAFP to
// trust the controller on its very first connection (it has no CA yet);
// the controller keeps only SHA-256(SECRET), the host it was made for and
// its expiry, in DIR/tokens.json, so a stolen CA directory yields no
// usable token.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/error.h"

namespace sc::controller::ca {

inline constexpr std::int64_t kDefaultTokenLifetime = 60 * 60;

struct ParsedToken {
  std::string secret;
  std::string ca_fingerprint;
};

// Splits a token; InvalidArgument when it is not "sc1.<64 hex>.<64 hex>".
Result<ParsedToken> parseToken(std::string_view token);

// Makes a token for `host`, valid for `lifetime` seconds from `now`.
// The caller holds the CA lock.
Result<std::string> createToken(const std::filesystem::path& ca_dir, const std::string& host,
                                const std::string& ca_fingerprint, std::int64_t now,
                                std::int64_t lifetime);

// Uses up the token for `host`: TokenInvalid when it is unknown, already
// used, expired, or made for another host (the message says which). A
// token is spent by its first use, right or wrong host. The caller holds
// the CA lock.
Result<void> consumeToken(const std::filesystem::path& ca_dir, std::string_view token,
                          const std::string& host, std::int64_t now);

}  // namespace sc::controller::ca
