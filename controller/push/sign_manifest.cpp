#include "controller/push/sign_manifest.h"

#include <chrono>

#include "common/envelope/envelope.h"
#include "common/time/duration.h"
#include "common/time/rfc3339.h"

namespace sc::controller::push {

std::uint64_t serialNow() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

std::string signManifest(manifest::Manifest& manifest, const envelope::PrivateKey& key,
                         std::int64_t validity_seconds) {
  const std::int64_t now = time::unixNow();
  manifest.issued_at = time::formatRfc3339(now);
  manifest.expires_at = time::formatRfc3339(now + validity_seconds);
  manifest.key_id = key.publicKey().id();
  return envelope::serialize(envelope::seal(std::string(envelope::kManifestPayloadType),
                                            manifest::toJson(manifest).dump(), key));
}

}  // namespace sc::controller::push
