// b64encode, b64decode, hash (and md5, sha1, checksum), password_hash.
// password_hash needs an explicit salt: Ansible would pick a random one on
// every run, which a compiled manifest cannot reproduce, so without a salt
// it is an error asking for one. With a salt it calls libcrypt's crypt_r as
// Ansible's crypt fallback does (no passlib), so the hashes are identical.
#include <crypt.h>
#include <fmt/format.h>
#include <openssl/evp.h>

#include <cstring>
#include <memory>

#include "controller/jinja/filters/args.h"
#include "controller/jinja/filters/registry.h"

namespace sc::controller::jinja {
namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

Result<Value> b64encode(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY(Args::bind("b64encode", args, {"encoding"}));
  SC_TRY_ASSIGN(auto s, ev.toText(input));
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < s.size(); i += 3) {
    const auto n = (static_cast<unsigned>(static_cast<unsigned char>(s[i])) << 16) |
                   (static_cast<unsigned>(static_cast<unsigned char>(s[i + 1])) << 8) |
                   static_cast<unsigned>(static_cast<unsigned char>(s[i + 2]));
    out += kB64[(n >> 18) & 63];
    out += kB64[(n >> 12) & 63];
    out += kB64[(n >> 6) & 63];
    out += kB64[n & 63];
  }
  if (i < s.size()) {
    auto n = static_cast<unsigned>(static_cast<unsigned char>(s[i])) << 16;
    if (i + 1 < s.size()) n |= static_cast<unsigned>(static_cast<unsigned char>(s[i + 1])) << 8;
    out += kB64[(n >> 18) & 63];
    out += kB64[(n >> 12) & 63];
    out += i + 1 < s.size() ? kB64[(n >> 6) & 63] : '=';
    out += '=';
  }
  return Value(std::move(out));
}

Result<Value> b64decode(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY(Args::bind("b64decode", args, {"encoding"}));
  SC_TRY_ASSIGN(auto s, ev.toText(input));
  // Python's b64decode (non-validating): characters outside the alphabet
  // are dropped; the padding must come out right.
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  std::size_t chars = 0;
  std::size_t pad = 0;
  for (char c : s) {
    const char* at = c ? std::strchr(kB64, c) : nullptr;
    if (c == '=') {
      ++pad;
      continue;
    }
    if (!at) continue;
    if (pad) return typeError("b64decode: Incorrect padding");
    ++chars;
    buffer = (buffer << 6) | static_cast<unsigned>(at - kB64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  if (chars % 4 == 1 || (chars % 4 != 0 && chars % 4 + pad < 4)) {
    return typeError("b64decode: Incorrect padding");
  }
  return Value(std::move(out));
}

Result<std::string> digestHex(std::string_view algorithm, std::string_view data) {
  const std::string name(algorithm);
  const EVP_MD* md = EVP_get_digestbyname(name.c_str());
  if (!md) return typeError(fmt::format("unsupported hash type {}", algorithm));
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), digest, &len) != 1) {
    return typeError(fmt::format("hashing with {} failed", algorithm));
  }
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

Result<Value> hash(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY_ASSIGN(auto a, Args::bind("hash", args, {"hashtype"}));
  SC_TRY_ASSIGN(auto s, ev.toText(input));
  SC_TRY_ASSIGN(auto type, a.text(ev, 0, "sha1"));
  SC_TRY_ASSIGN(auto hex, digestHex(type, s));
  return Value(std::move(hex));
}

Result<Value> md5(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY(Args::bind("md5", args, {}));
  SC_TRY_ASSIGN(auto s, ev.toText(input));
  SC_TRY_ASSIGN(auto hex, digestHex("md5", s));
  return Value(std::move(hex));
}

Result<Value> sha1(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY(Args::bind("sha1", args, {}));
  SC_TRY_ASSIGN(auto s, ev.toText(input));
  SC_TRY_ASSIGN(auto hex, digestHex("sha1", s));
  return Value(std::move(hex));
}

Result<Value> passwordHash(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY_ASSIGN(auto a, Args::bind("password_hash", args,
                                   {"hashtype", "salt", "salt_size", "rounds", "ident"}));
  SC_TRY_ASSIGN(auto password, ev.toText(input));
  SC_TRY_ASSIGN(auto type, a.text(ev, 0, "sha512"));
  if (!a.has(1) || a.get(1)->isNone()) {
    return typeError(
        "password_hash without a salt gives a different hash on every run; pass "
        "one, e.g. password_hash('sha512', 'mysalt')");
  }
  SC_TRY_ASSIGN(auto salt, a.text(ev, 1, ""));
  std::string id;
  if (type == "sha512" || type == "sha512_crypt") {
    id = "6";
  } else if (type == "sha256" || type == "sha256_crypt") {
    id = "5";
  } else if (type == "md5" || type == "md5_crypt") {
    id = "1";
  } else {
    return typeError(fmt::format("password_hash: hash type '{}' is not supported", type));
  }
  for (char c : salt) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '/') {
      return typeError(fmt::format("invalid characters in salt '{}'", salt));
    }
  }
  std::string setting = "$" + id + "$";
  if (a.has(3) && !a.get(3)->isNone()) {
    if (id == "1") return typeError("password_hash: md5 does not take rounds");
    SC_TRY_ASSIGN(auto rounds, a.integer(3, 5000));
    setting += fmt::format("rounds={}$", rounds);
  }
  setting += salt;
  auto data = std::make_unique<crypt_data>();
  std::memset(data.get(), 0, sizeof(crypt_data));
  const char* result = crypt_r(password.c_str(), setting.c_str(), data.get());
  if (!result || result[0] == '*') return typeError("password_hash: crypt failed");
  return Value(std::string(result));
}

}  // namespace

void addEncodingFilters(FilterTable& t) {
  t["b64encode"] = b64encode;
  t["b64decode"] = b64decode;
  t["hash"] = hash;
  t["checksum"] = sha1;
  t["md5"] = md5;
  t["sha1"] = sha1;
  t["password_hash"] = passwordHash;
}

}  // namespace sc::controller::jinja
