#include "common/hash.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <cstdint>

#include "common/error.h"

namespace sc {
namespace {

std::string digestHex(const EVP_MD* md, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  const int done = EVP_Digest(data.data(), data.size(), digest, &length, md, nullptr);
  SC_CHECK(done == 1, "EVP_Digest fails only on allocation failure");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(static_cast<std::size_t>(length) * 2, '0');
  for (unsigned int i = 0; i < length; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return out;
}

}  // namespace

std::string sha256Hex(std::string_view data) { return digestHex(EVP_sha256(), data); }
std::string sha1Hex(std::string_view data) { return digestHex(EVP_sha1(), data); }

std::string fastHashHex(std::string_view data) {
  std::uint64_t hash = 14695981039346656037ull;
  for (const char c : data) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return fmt::format("{:016x}", hash);
}

}  // namespace sc
