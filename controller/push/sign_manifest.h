// Turns a compiled manifest into the signed envelope an agent admits
// (docs/envelope.md): `scctl compile --sign` writes it to a file, `scctl
// apply` pushes it.
#pragma once

#include <cstdint>
#include <string>

#include "common/envelope/ed25519.h"
#include "common/manifest/manifest.h"

namespace sc::controller::push {

// A serial that only grows: milliseconds since the epoch.
std::uint64_t serialNow();

// Stamps `manifest` (issued now, expiring `validity_seconds` later, naming
// the key) and returns its serialized envelope. The serial is the caller's.
std::string signManifest(manifest::Manifest& manifest, const envelope::PrivateKey& key,
                         std::int64_t validity_seconds);

}  // namespace sc::controller::push
