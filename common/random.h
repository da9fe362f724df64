// Unpredictable hex strings from the kernel's CSPRNG (getrandom(2)).
// Used for temp-file names, Ansible's per-run `omit` token and generated
// passwords (lookup('password')). Not
// OpenSSL's RAND_bytes: its first call starts OpenSSL's provider machinery,
// about 2 MiB of resident memory that `scctl apply -c local` and a no-op
// agent run would otherwise pay for nothing.
#pragma once

#include <cstddef>
#include <string>

namespace sc {

// 2 * `bytes` lowercase hex digits.
std::string randomHex(std::size_t bytes);

// Uniform in [0, bound), without modulo bias; `bound` > 0.
std::size_t randomBelow(std::size_t bound);

}  // namespace sc
