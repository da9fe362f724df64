// SHA-256 (and SHA-1, for Ansible's stat checksum) as lowercase hex,
// computed by OpenSSL. SHA-256 names backups and checks artifacts.
#pragma once

#include <string>
#include <string_view>

namespace sc {

std::string sha256Hex(std::string_view data);
std::string sha1Hex(std::string_view data);

// 64-bit FNV-1a as 16 hex digits. NOT cryptographic: only for telling
// apart values we already trust (desired-state fingerprints), where it
// keeps OpenSSL's start-up cost and memory off the agent's no-op path.
std::string fastHashHex(std::string_view data);

}  // namespace sc
