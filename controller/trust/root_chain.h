// The controller's chain of root documents (docs/trust.md): one file per
// version, DIR/root.N.json, each the exact envelope agents receive. Version
// 1 is the anchor; every later version is written only after it verifies
// against the one before, so the directory always holds a chain an agent
// can walk. Root private keys stay wherever the operator keeps them: they
// are read only for `scctl trust init|rotate`.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/envelope/ed25519.h"
#include "common/envelope/root.h"
#include "common/error.h"

namespace sc::controller::trust {

inline constexpr const char* kDefaultTrustDir = "/etc/smartcookies/trust";

// Every root in `dir`, by version, each checked against the one before.
// An empty list when the directory does not exist.
Result<std::vector<envelope::TrustedRoot>> loadChain(const std::filesystem::path& dir);

// Signs `document` (version 1) with `signers` and writes root.1.json;
// refuses when the directory already holds a root.
Result<envelope::TrustedRoot> initChain(const std::filesystem::path& dir,
                                        envelope::RootDocument document,
                                        const std::vector<envelope::PrivateKey>& signers);

// What the next version changes.
struct RootChange {
  std::vector<envelope::PublicKey> add_signing_keys;
  std::vector<std::string> retire_key_ids;  // signing or root keys
  std::vector<envelope::PublicKey> add_root_keys;
  std::optional<std::size_t> root_threshold;
};

// Writes the next version: the latest with `change` applied, signed by
// `signers`. Refused unless it would verify on an agent (a threshold of
// the current root keys and of the new ones signed).
Result<envelope::TrustedRoot> rotateChain(const std::filesystem::path& dir,
                                          const RootChange& change,
                                          const std::vector<envelope::PrivateKey>& signers);

// The public key in a .pub file, or the public half of a private key file.
Result<envelope::PublicKey> readAnyKey(const std::filesystem::path& path);

}  // namespace sc::controller::trust
