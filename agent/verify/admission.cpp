#include "agent/verify/admission.h"

#include <fmt/format.h>

#include "common/hash.h"
#include "common/time/rfc3339.h"

namespace sc::agent {
namespace {

Result<std::int64_t> timestamp(const std::string& text, const char* field) {
  if (text.empty()) {
    return Error(ErrorCode::BadTime, fmt::format("a signed manifest needs '{}'", field));
  }
  const auto seconds = time::parseRfc3339(text);
  if (!seconds) {
    return Error(ErrorCode::BadTime,
                 fmt::format("'{}' is not an RFC 3339 timestamp: '{}'", field, text));
  }
  return *seconds;
}

}  // namespace

Result<Admitted> admitEnvelope(std::string_view envelope_text, const AdmissionPolicy& policy) {
  SC_CHECK(policy.trusted != nullptr, "admission needs the trusted keys");
  SC_TRY_ASSIGN(const envelope::Envelope sealed,
                envelope::parseEnvelope(envelope_text, limits::kMaxManifestBytes));
  SC_TRY_ASSIGN(const std::string_view payload,
                envelope::openEnvelope(sealed, envelope::kManifestPayloadType, *policy.trusted));
  SC_TRY_ASSIGN(manifest::Manifest manifest, manifest::parseManifest(payload, "signed manifest"));

  if (manifest.host != policy.host) {
    return Error(ErrorCode::WrongHost,
                 fmt::format("the manifest is for host '{}', and this host is '{}'", manifest.host,
                             policy.host));
  }
  // The signer named inside the signed bytes must be the one that signed:
  // a manifest cannot be re-wrapped under another trusted key's name.
  if (manifest.key_id != sealed.signatures.front().key_id) {
    return Error(ErrorCode::SignatureInvalid,
                 "the manifest names another signing key than the one that signed it");
  }
  SC_TRY_ASSIGN(const std::int64_t issued, timestamp(manifest.issued_at, "issued_at"));
  SC_TRY_ASSIGN(const std::int64_t expires, timestamp(manifest.expires_at, "expires_at"));
  if (expires <= issued) {
    return Error(ErrorCode::BadTime, fmt::format("expires_at {} is not after issued_at {}",
                                                 manifest.expires_at, manifest.issued_at));
  }
  if (expires - issued > policy.max_validity) {
    return Error(ErrorCode::BadTime,
                 fmt::format("valid for {} days, longer than the {} days allowed",
                             (expires - issued) / 86400, policy.max_validity / 86400));
  }
  const std::string now = time::formatRfc3339(policy.now);
  if (policy.now + policy.clock_tolerance < issued) {
    return Error(ErrorCode::NotYetValid,
                 fmt::format("issued at {}, after this host's clock ({}): one of the two clocks "
                             "is wrong",
                             manifest.issued_at, now));
  }
  const bool expired = policy.now - policy.clock_tolerance >= expires;
  if (expired && !policy.keep_expired) {
    return Error(ErrorCode::Expired,
                 fmt::format("expired at {} (this host's clock: {}); if the clock is wrong, fix "
                             "it, else ask the controller for a fresh manifest",
                             manifest.expires_at, now));
  }
  return Admitted{std::move(manifest), sha256Hex(payload), policy.trusted, expired, {}};
}

Result<SerialDecision> checkSerial(const Admitted& admitted, const AppliedRecord* last) {
  if (last == nullptr) return SerialDecision::Apply;
  const bool signer_rotated_out = !last->key_id.empty() && admitted.trusted != nullptr &&
                                  admitted.trusted->find(last->key_id) == nullptr;
  if (signer_rotated_out) return SerialDecision::Apply;
  const std::uint64_t serial = admitted.manifest.serial;
  if (serial > last->serial) return SerialDecision::Apply;
  if (serial == last->serial && admitted.payload_sha256 == last->sha256) {
    // The same manifest again: finish it if its run was cut short, else
    // there is nothing to do (at most one apply per serial: T-18).
    return last->finished ? SerialDecision::AlreadyApplied : SerialDecision::Apply;
  }
  if (serial == last->serial) {
    return Error(ErrorCode::Equivocation,
                 fmt::format("serial {} was applied with other content; a signer issued two "
                             "different manifests under one serial",
                             serial));
  }
  return Error(
      ErrorCode::Rollback,
      fmt::format("serial {} is older than serial {}, the last applied", serial, last->serial));
}

}  // namespace sc::agent
