#include "controller/ca/enrolment_tokens.h"

#include <fcntl.h>

#include <nlohmann/json.hpp>

#include "common/fs/atomic_file.h"
#include "common/fs/unique_fd.h"
#include "common/hash.h"
#include "common/json/strict_json.h"
#include "common/random.h"
#include "common/time/rfc3339.h"

namespace sc::controller::ca {
namespace {

constexpr std::size_t kSecretBytes = 32;
constexpr json::ParseLimits kTokenFileLimits{8, 16ull * 1024 * 1024};
constexpr std::string_view kPrefix = "sc1.";

bool isLowerHex(std::string_view text, std::size_t length) {
  return text.size() == length && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::filesystem::path tokensPath(const std::filesystem::path& ca_dir) {
  return ca_dir / "tokens.json";
}

Result<nlohmann::json> readTokens(const std::filesystem::path& ca_dir) {
  const auto path = tokensPath(ca_dir);
  fs::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) {
    if (errno == ENOENT) return nlohmann::json{{"tokens", nlohmann::json::array()}};
    return errnoError(errno, "cannot open", path.string());
  }
  SC_TRY_ASSIGN(const std::string text, fs::readAllCapped(fd.get(), kTokenFileLimits.max_bytes));
  SC_TRY_ASSIGN(auto document, json::parseStrictJson(text, path.string(), kTokenFileLimits));
  if (!document.is_object() || !document.contains("tokens") || !document["tokens"].is_array()) {
    return Error(ErrorCode::Schema, "expected {\"tokens\": [...]}", path.string());
  }
  return document;
}

Result<void> writeTokens(const std::filesystem::path& ca_dir, const nlohmann::json& document) {
  fs::AtomicWriteOptions options;
  options.mode = 0600;
  return fs::writeFileAtomic(tokensPath(ca_dir), document.dump(2) + "\n", options);
}

}  // namespace

Result<ParsedToken> parseToken(std::string_view token) {
  const std::size_t secret_hex = 2 * kSecretBytes;
  if (token.substr(0, kPrefix.size()) != kPrefix ||
      token.size() != kPrefix.size() + secret_hex + 1 + 64 ||
      token[kPrefix.size() + secret_hex] != '.' ||
      !isLowerHex(token.substr(kPrefix.size(), secret_hex), secret_hex) ||
      !isLowerHex(token.substr(kPrefix.size() + secret_hex + 1), 64)) {
    return Error(ErrorCode::InvalidArgument,
                 "not an enrolment token (expected sc1.<64 hex digits>.<64 hex digits>, as "
                 "'scctl token create' prints)");
  }
  return ParsedToken{std::string(token.substr(kPrefix.size(), secret_hex)),
                     std::string(token.substr(kPrefix.size() + secret_hex + 1))};
}

Result<std::string> createToken(const std::filesystem::path& ca_dir, const std::string& host,
                                const std::string& ca_fingerprint, std::int64_t now,
                                std::int64_t lifetime) {
  SC_TRY_ASSIGN(auto document, readTokens(ca_dir));
  // Spent and expired tokens are dropped as new ones are made.
  auto& tokens = document["tokens"];
  nlohmann::json kept = nlohmann::json::array();
  for (auto& entry : tokens) {
    const auto expires = time::parseRfc3339(entry.value("expires_at", ""));
    if (!entry.value("used", false) && expires && *expires > now) kept.push_back(entry);
  }
  const std::string secret = randomHex(kSecretBytes);
  kept.push_back({{"secret_sha256", sha256Hex(secret)},
                  {"host", host},
                  {"created_at", time::formatRfc3339(now)},
                  {"expires_at", time::formatRfc3339(now + lifetime)},
                  {"used", false}});
  tokens = std::move(kept);
  SC_TRY(writeTokens(ca_dir, document));
  return fmt::format("{}{}.{}", kPrefix, secret, ca_fingerprint);
}

Result<void> consumeToken(const std::filesystem::path& ca_dir, std::string_view token,
                          const std::string& host, std::int64_t now) {
  auto parsed = parseToken(token);
  if (!parsed) return Error(ErrorCode::TokenInvalid, parsed.error().message());
  SC_TRY_ASSIGN(auto document, readTokens(ca_dir));
  const std::string digest = sha256Hex(parsed->secret);
  for (auto& entry : document["tokens"]) {
    if (entry.value("secret_sha256", "") != digest) continue;
    if (entry.value("used", false)) {
      return Error(ErrorCode::TokenInvalid, "the enrolment token was already used");
    }
    entry["used"] = true;
    entry["used_at"] = time::formatRfc3339(now);
    entry["used_by"] = host;
    SC_TRY(writeTokens(ca_dir, document));
    const auto expires = time::parseRfc3339(entry.value("expires_at", ""));
    if (!expires || *expires <= now) {
      return Error(ErrorCode::TokenInvalid, "the enrolment token has expired");
    }
    if (entry.value("host", "") != host) {
      return Error(ErrorCode::TokenInvalid, "the enrolment token was made for another host");
    }
    return {};
  }
  return Error(ErrorCode::TokenInvalid, "unknown enrolment token");
}

}  // namespace sc::controller::ca
