// Whether this host believes a signed manifest (ARCHITECTURE.md decision 3,
// SECURITY.md T-01 to T-05, T-34, B-14, B-15, F-15). In order, each
// failure with its own reason code and nothing written:
//
//   1. the envelope is well formed (sig_format);
//   2. a key this host trusts signed exactly these bytes (unknown_key,
//      sig_invalid); only then is the payload parsed;
//   3. the manifest is for this host (wrong_host) and names the key that
//      signed it (sig_invalid);
//   4. its timestamps are RFC 3339, in order, no further apart than the
//      freeze bound (bad_time), and `now` lies between them, give or take
//      the clock tolerance (not_yet_valid, expired);
//   5. its serial is above the last applied one (rollback), or is that one
//      with the same bytes (already applied: nothing to do), never that one
//      with other bytes (equivocation). checkSerial() does this under the
//      state directory's lock, with the record it keeps.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "agent/state/state_dir.h"
#include "common/envelope/envelope.h"
#include "common/error.h"
#include "common/limits.h"
#include "common/manifest/manifest.h"

namespace sc::agent {

struct AdmissionPolicy {
  std::string host;  // this host's name, as manifests name it
  const envelope::TrustedKeys* trusted = nullptr;
  std::int64_t now = 0;  // Unix seconds: one fixed "now" for the whole run
  std::int64_t clock_tolerance = limits::kClockToleranceSeconds;
  std::int64_t max_validity = limits::kMaxManifestValiditySeconds;
  // Step 4 lets an expired manifest through, marked expired: a scheduled
  // run of the manifest this host last applied keeps enforcing it after
  // it expired, and says so in its report (stale, SECURITY.md T-04). A
  // manifest arriving from outside is never admitted expired.
  bool keep_expired = false;
};

struct Admitted {
  manifest::Manifest manifest;
  std::string payload_sha256;  // what the serial record keeps
  // The keys that admitted it (the caller's, alive for the whole run).
  const envelope::TrustedKeys* trusted = nullptr;
  bool expired = false;  // only with AdmissionPolicy::keep_expired
  // The envelope's text, when the caller keeps it for later runs.
  std::string envelope;
};

Result<Admitted> admitEnvelope(std::string_view envelope_text, const AdmissionPolicy& policy);

enum class SerialDecision {
  Apply,           // a new serial (or the one an interrupted run was applying)
  AlreadyApplied,  // this serial, these bytes, applied to the end before
};

// Step 5 against the record of the last serial (null: none yet). A record
// signed by a key no longer trusted sets no floor: after a rotation the new
// key starts its own serials, so a compromised key's huge serial cannot
// lock the host out (SECURITY.md T-10, TUF's fast-forward recovery).
Result<SerialDecision> checkSerial(const Admitted& admitted, const AppliedRecord* last);

}  // namespace sc::agent
