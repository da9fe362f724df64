// libFuzzer target: arbitrary bytes through the agent's admission of a
// signed manifest (SECURITY.md B-15). The first byte picks what the rest
// is: an envelope as it arrives (parsing, base64, signature checks), or a
// payload that is then sealed with the trusted key, so the manifest parser
// and the host, time and key checks behind the signature are reached too.
// Any input must end in an admission or a refusal, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "agent/verify/admission.h"

namespace {

const sc::envelope::PrivateKey& signer() {
  static const sc::envelope::PrivateKey key =
      *sc::envelope::PrivateKey::fromSeed(std::string(sc::envelope::kSeedBytes, '\x2a'));
  return key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const sc::envelope::TrustedKeys trusted = [] {
    sc::envelope::TrustedKeys keys;
    keys.add(signer().publicKey());
    return keys;
  }();
  sc::agent::AdmissionPolicy policy;
  policy.host = "web1";
  policy.trusted = &trusted;
  policy.now = 1795669200;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    (void)sc::agent::admitEnvelope(rest, policy);
  } else {
    const auto sealed = sc::envelope::seal(std::string(sc::envelope::kManifestPayloadType),
                                           std::string(rest), signer());
    (void)sc::agent::admitEnvelope(sc::envelope::serialize(sealed), policy);
  }
  return 0;
}
