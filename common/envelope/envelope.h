// The signed envelope: the exact bytes of a payload (a manifest), its type,
// and one Ed25519 signature over both (ARCHITECTURE.md decision 3;
// docs/envelope.md has the format).
//
//   {"format_version": 1,
//    "payload_type": "application/vnd.smartcookies.manifest+json",
//    "payload": "<base64 of the payload bytes>",
//    "signatures": [{"key_id": "<64 hex digits>", "signature": "<base64, 64 bytes>"}]}
//
// What is signed is not the payload alone but a pre-authentication encoding
// of type and payload (as DSSE does), so bytes signed as one type can never
// be taken for another. The verifier checks the signature over the payload
// bytes before anything parses them.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/envelope/ed25519.h"
#include "common/error.h"

namespace sc::envelope {

inline constexpr int kEnvelopeFormatVersion = 1;
inline constexpr std::string_view kManifestPayloadType =
    "application/vnd.smartcookies.manifest+json";

struct Signature {
  std::string key_id;  // PublicKey::id() of the signer
  std::string bytes;   // 64 raw bytes
};

struct Envelope {
  std::string payload_type;
  std::string payload;  // the exact bytes signed
  std::vector<Signature> signatures;
};

// The bytes a signature covers: "smartcookies-envelope-v1 LEN(type) type
// LEN(payload) payload", lengths in decimal, fields separated by one space.
std::string signedBytes(std::string_view payload_type, std::string_view payload);

// An envelope of `payload` signed by `key`.
Envelope seal(std::string payload_type, std::string payload, const PrivateKey& key);
// Adds `key`'s signature (root documents carry several).
void addSignature(Envelope& envelope, const PrivateKey& key);

// The envelope's JSON text (compact, one line).
std::string serialize(const Envelope& envelope);

// Parses an envelope strictly (SECURITY.md B-15): exactly the four fields,
// format_version 1, canonical base64, one signature (no more than
// `max_signatures`) with a 64-hex key id and 64 signature bytes, a payload
// no longer than `max_payload_bytes`. Anything else is SignatureFormat.
Result<Envelope> parseEnvelope(std::string_view text, std::size_t max_payload_bytes,
                               std::size_t max_signatures = 1);

// The keys a verifier trusts, by id, and the ids of keys it once trusted
// and no longer does (named apart in refusals).
class TrustedKeys {
 public:
  void add(PublicKey key);
  void retire(std::string key_id);
  const PublicKey* find(std::string_view key_id) const;
  bool isRetired(std::string_view key_id) const { return retired_.count(key_id) != 0; }
  bool empty() const { return keys_.empty(); }

 private:
  std::map<std::string, PublicKey, std::less<>> keys_;
  std::set<std::string, std::less<>> retired_;
};

// The payload, once `envelope` is of `payload_type` and carries a valid
// signature by a trusted key: RetiredKey or UnknownKey when no signature
// names a trusted key, SignatureInvalid when a trusted key's signature does
// not verify, SignatureFormat for another payload type.
Result<std::string_view> openEnvelope(const Envelope& envelope, std::string_view payload_type,
                                      const TrustedKeys& trusted);

}  // namespace sc::envelope
