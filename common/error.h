// sc::Error and sc::Result<T>: how every fallible operation in smartcookies
// reports failure. A Result is either a value or an Error; it is
// [[nodiscard]], so ignoring one is a compile error (warnings are errors).
//
// An Error carries:
//   - code:    one of the short list below; callers branch on it.
//   - message: what went wrong, for a person, without the location.
//   - where:   "file:line:col", a JSON pointer ("/resources/3/params/mode"),
//              or a resource id; empty when there is nothing to point at.
//   - cause:   the lower-level reason (errno text, OpenSSL error, ...).
// Context is added on the way up with withContext(), innermost last.
//
// Which code to use:
//   InvalidArgument  a caller (CLI flag, API argument) asked for something
//                    malformed. Exit code 2 at the CLI.
//   Parse            bytes are not the syntax they claim to be (JSON, YAML).
//   Schema           well-formed input with an unknown field, wrong type,
//                    missing field or a value out of range.
//   TooLarge / TooDeep   input over a limit in common/limits.h.
//   Conflict         two parts of one input contradict each other.
//   Cycle            a dependency or notification cycle.
//   UnsafePath       a path that would escape the managed root or walk
//                    through a symlink.
//   UnsupportedFileType  a FIFO, device, socket... where a file is expected.
//   NotFound         something required does not exist on the host.
//   NotPermitted     the agent's privileges do not allow it (T-29).
//   Io               the operating system refused (errno in cause).
//   NoSpace / ReadOnly   the Io cases callers must tell apart (F-10, F-11).
//   ValidationFailed a `validate:` command rejected staged content (F-12).
//   CommandFailed    a command ran and reported failure.
//   Timeout          a deadline passed (F-09).
//   AssertionFailed  an `assert:` or `fail:` resource fired.
//   NotConverged     apply succeeded but observe still sees a difference.
//   Busy             another run holds the state directory lock (F-08).
//   Internal         our bug. Prefer SC_CHECK for invariants.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>

namespace sc {

enum class ErrorCode {
  InvalidArgument,
  Parse,
  Schema,
  TooLarge,
  TooDeep,
  Encoding,
  Conflict,
  Cycle,
  UnsafePath,
  UnsupportedFileType,
  NotFound,
  NotPermitted,
  Io,
  NoSpace,
  ReadOnly,
  ValidationFailed,
  CommandFailed,
  Timeout,
  AssertionFailed,
  NotConverged,
  Busy,
  // Refusals of a signed manifest (SECURITY.md T-01..T-05, T-34, B-14,
  // B-15, F-15): each has its own reason code.
  SignatureFormat,   // the envelope is malformed
  SignatureInvalid,  // the signature does not verify
  UnknownKey,        // signed by a key this host does not trust
  WrongHost,         // another host's manifest
  Rollback,          // a serial at or below the last applied one
  Equivocation,      // the last applied serial with other bytes
  Expired,           // past its expiry (freeze)
  NotYetValid,       // issued in the future (a clock is wrong)
  BadTime,           // timestamps malformed, reversed or too far apart
  RetiredKey,        // signed by a key the trusted root document retired
  RootChainTooLong,  // more root versions to walk than one update allows
  ProtocolError,     // a session peer broke the wire protocol (docs/protocol.md)
  // Enrolment and sessions (docs/enrolment.md, SECURITY.md B-18, T-11..T-16).
  CsrInvalid,         // a certificate request the CA refuses to sign
  TokenInvalid,       // an enrolment token unknown, used, expired or for another host
  PeerNotController,  // the TLS peer is not the controller this agent enrolled with
  Revoked,            // the peer's certificate is revoked
  TlsFailed,          // the TLS handshake failed
  Internal,
};

// The stable, lower_snake reason code used in reports and JSON output
// ("unsafe_path", "too_large", ...). Never changes once released.
std::string_view reasonCode(ErrorCode code);
// The code of a reason string (what a peer sent); Internal when unknown.
ErrorCode errorCodeFromReason(std::string_view reason);

class Error {
 public:
  Error(ErrorCode code, std::string message, std::string where = {}, std::string cause = {})
      : code_(code),
        message_(std::move(message)),
        where_(std::move(where)),
        cause_(std::move(cause)) {}

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& where() const { return where_; }
  const std::string& cause() const { return cause_; }

  // Prefixes the message with what the caller was doing ("writing '/etc/x'").
  Error&& withContext(std::string_view context) &&;
  Error&& withWhere(std::string where) &&;

  // "where: error: message (cause)", compiler-style.
  std::string describe() const;

 private:
  ErrorCode code_;
  std::string message_;
  std::string where_;
  std::string cause_;
};

// Error from the current errno (or an explicit one) with its text as cause.
Error errnoError(int err, std::string message, std::string where = {});

template <typename T>
class [[nodiscard]] Result : public tl::expected<T, Error> {
 public:
  using tl::expected<T, Error>::expected;
  Result(Error error) : tl::expected<T, Error>(tl::unexpect, std::move(error)) {}  // NOLINT
};

template <>
class [[nodiscard]] Result<void> : public tl::expected<void, Error> {
 public:
  using tl::expected<void, Error>::expected;
  Result() = default;
  Result(Error error) : tl::expected<void, Error>(tl::unexpect, std::move(error)) {}  // NOLINT
};

inline Result<void> ok() { return {}; }

// For our own bugs only, never for input (STYLE.md section 3).
[[noreturn]] void checkFailed(const char* expr, const char* why, const char* file, int line);

}  // namespace sc

#define SC_CHECK(cond, why) \
  ((cond) ? static_cast<void>(0) : ::sc::checkFailed(#cond, why, __FILE__, __LINE__))

#ifdef NDEBUG
#define SC_ASSERT(cond, why) static_cast<void>(0)
#else
#define SC_ASSERT(cond, why) SC_CHECK(cond, why)
#endif

// Returns early with the error of a failed Result; otherwise yields nothing.
#define SC_TRY(expr)                                    \
  do {                                                  \
    auto sc_try_result_ = (expr);                       \
    if (!sc_try_result_) return sc_try_result_.error(); \
  } while (false)

#define SC_CONCAT_INNER_(a, b) a##b
#define SC_CONCAT_(a, b) SC_CONCAT_INNER_(a, b)
// `SC_TRY_ASSIGN(auto x, f());` declares x from a successful Result or
// returns the error.
#define SC_TRY_ASSIGN(lhs, expr) SC_TRY_ASSIGN_IMPL_(SC_CONCAT_(sc_try_value_, __LINE__), lhs, expr)
#define SC_TRY_ASSIGN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                        \
  if (!tmp) return std::move(tmp).error();  \
  lhs = std::move(*tmp)
