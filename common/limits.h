// Size and depth limits on every input, checked before allocating
// (SECURITY.md T-07, B-02, B-12). Each has a name here so that code,
// tests and docs all point at the same number.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sc::limits {

// A manifest larger than this is refused before parsing (B-12).
inline constexpr std::uint64_t kMaxManifestBytes = 64ull << 20;
// A signed envelope carries the manifest in base64, and its signature.
inline constexpr std::uint64_t kMaxEnvelopeBytes = kMaxManifestBytes / 3 * 4 + 64 * 1024;
// JSON nesting depth of a manifest (B-02). Manifests need about 8.
inline constexpr std::size_t kMaxJsonDepth = 32;
// Resources in one manifest.
inline constexpr std::size_t kMaxResources = 200'000;
// Blocks around one resource (its `block` array). Ansible plays nest blocks
// a few deep; the structure checks cost depth squared per resource.
inline constexpr std::size_t kMaxBlockDepth = 64;
// Default cap on one managed file's content, read or written; `sc-agent
// apply --max-file-size` changes it.
inline constexpr std::uint64_t kDefaultMaxFileBytes = 16ull << 20;
// Largest text a manifest-supplied regular expression is run over (a file
// edited by lineinfile, blockinfile or replace; a value tested by a
// condition). See common/large_stack.h for why there is a cap at all.
inline constexpr std::uint64_t kMaxRegexSubjectBytes = 2ull << 20;
// Output captured from one command (stdout and stderr each); the rest is
// discarded and the result marked truncated.
inline constexpr std::size_t kMaxCommandOutputBytes = 1u << 20;
// Validator stderr kept in a report (F-12).
inline constexpr std::size_t kMaxValidatorMessageBytes = 4096;
// Largest file read to gather facts; /proc/cpuinfo of a 1,024-CPU host
// is about 1.5 MiB.
inline constexpr std::uint64_t kMaxFactFileBytes = 8ull << 20;
// Longest managed path and path component accepted (B-07).
inline constexpr std::size_t kMaxPathBytes = 4095;
inline constexpr std::size_t kMaxNameBytes = 255;
// Signed manifests (agent/verify/admission.h): how far a host's clock may
// be off before a manifest is "not yet valid" or "expired" (SECURITY.md
// F-15), and the longest validity a manifest may claim, which bounds how
// long a withheld manifest can be replayed (T-04, B-14).
inline constexpr std::int64_t kClockToleranceSeconds = 300;
inline constexpr std::int64_t kMaxManifestValiditySeconds = 90ll * 24 * 3600;
// Default validity `scctl compile --sign` gives a manifest.
inline constexpr std::int64_t kDefaultManifestValiditySeconds = 7ll * 24 * 3600;

}  // namespace sc::limits
