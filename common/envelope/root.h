// Root documents: the signed list of keys an agent trusts, so signing keys
// rotate without re-enrolling anyone (ARCHITECTURE.md decision 3,
// SECURITY.md T-02, T-09, T-10; docs/trust.md has the format).
//
// A root document names the keys that may sign the next root document and
// how many of them must (root keys, threshold), the keys that may sign
// manifests (signing keys), and the ids of keys it has retired. It travels
// in an envelope of its own payload type, signed by several keys:
//
//   {"version": 2, "root_threshold": 2,
//    "root_keys": ["<base64 of 32 raw bytes>", ...],
//    "signing_keys": ["<base64>", ...],
//    "retired_keys": ["<64-hex key id>", ...]}
//
// Version N+1 is believed only when a threshold of version N's root keys
// and a threshold of its own root keys signed it, as TUF specifies, so a
// stolen root key alone can neither replace the root keys nor keep them.
// Thresholds count distinct public keys with a valid signature, never
// signature entries or key ids (T-02).
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/envelope/ed25519.h"
#include "common/envelope/envelope.h"
#include "common/error.h"

namespace sc::envelope {

inline constexpr std::string_view kRootPayloadType = "application/vnd.smartcookies.root+json";
inline constexpr std::size_t kMaxRootBytes = 64 * 1024;
inline constexpr std::size_t kMaxRootKeys = 16;        // in each list
inline constexpr std::size_t kMaxRootSignatures = 32;  // in a root envelope
inline constexpr std::size_t kMaxRetiredKeys = 256;
// Root versions walked in one update: an agent further behind is told so
// (root_chain_too_long) rather than walking an unbounded chain.
inline constexpr std::size_t kMaxRootChain = 16;

struct RootDocument {
  std::uint64_t version = 1;
  std::vector<PublicKey> root_keys;
  std::size_t root_threshold = 1;
  std::vector<PublicKey> signing_keys;
  std::vector<std::string> retired_key_ids;

  // The keys manifests may be signed by, with the retired ids marked.
  TrustedKeys manifestKeys() const;
};

// The payload's exact JSON text (compact, fields in a fixed order).
std::string serializeRoot(const RootDocument& root);

// What `scctl trust show --json` and `sc-agent trust show --json` print:
// the document with keys as their ids.
nlohmann::json summarizeRoot(const RootDocument& root);

// Parses a payload strictly: the five fields only, version >= 1, 1 to 16
// distinct keys in each list, a threshold between 1 and the number of root
// keys, retired ids that are not also trusted. Anything else: SignatureFormat.
Result<RootDocument> parseRoot(std::string_view payload);

// How many distinct keys of `keys` made a valid signature on `sealed`.
std::size_t countValidSigners(const Envelope& sealed, const std::vector<PublicKey>& keys);

// A root document with the exact envelope text it came in.
struct TrustedRoot {
  RootDocument document;
  std::string envelope_text;
};

// A root installed by hand or at enrolment (the trust anchor): it must be
// signed by a threshold of its own root keys.
Result<TrustedRoot> openRootAnchor(std::string_view envelope_text);

// The root after `current`, believed only when it is version current+1 and
// signed by a threshold of the current root keys and of its own.
Result<TrustedRoot> openNextRoot(const RootDocument& current, std::string_view envelope_text);

// Walks from `current` through `candidates` (envelope texts in any order;
// versions at or below the current one are ignored) one version at a time
// and returns the newest root. All or nothing: a malformed candidate, a
// missing version, a step without both thresholds (SignatureInvalid) or
// more than kMaxRootChain steps (RootChainTooLong) fail the whole walk.
Result<TrustedRoot> walkRootChain(const TrustedRoot& current,
                                  const std::vector<std::string>& candidates);

}  // namespace sc::envelope
