#include "common/random.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdint>
#include <vector>

#include "common/error.h"

namespace sc {

namespace {

void fillRandom(unsigned char* out, std::size_t size) {
  std::size_t filled = 0;
  while (filled < size) {
    const ssize_t got = getrandom(out + filled, size - filled, 0);
    if (got < 0 && errno == EINTR) continue;
    // getrandom without GRND_NONBLOCK blocks until the pool is seeded and
    // fails only for bad arguments or a pre-3.17 kernel.
    SC_CHECK(got > 0, "getrandom(2) fails only on kernels older than 3.17");
    filled += static_cast<std::size_t>(got);
  }
}

}  // namespace

std::size_t randomBelow(std::size_t bound) {
  SC_CHECK(bound > 0, "randomBelow needs a non-empty range");
  // Rejection sampling: draws past the last whole multiple of `bound` would
  // favour small results.
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  std::uint64_t draw = 0;
  do {
    fillRandom(reinterpret_cast<unsigned char*>(&draw), sizeof draw);
  } while (draw >= limit);
  return static_cast<std::size_t>(draw % bound);
}

std::string randomHex(std::size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  fillRandom(raw.data(), raw.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  for (const unsigned char c : raw) {
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
  }
  return out;
}

}  // namespace sc
