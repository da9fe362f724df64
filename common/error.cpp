#include "common/error.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace sc {

std::string_view reasonCode(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidArgument:
      return "bad_argument";
    case ErrorCode::Parse:
      return "parse_error";
    case ErrorCode::Schema:
      return "schema";
    case ErrorCode::TooLarge:
      return "too_large";
    case ErrorCode::TooDeep:
      return "too_deep";
    case ErrorCode::Encoding:
      return "encoding";
    case ErrorCode::Conflict:
      return "conflict";
    case ErrorCode::Cycle:
      return "cycle";
    case ErrorCode::UnsafePath:
      return "unsafe_path";
    case ErrorCode::UnsupportedFileType:
      return "unsupported_file_type";
    case ErrorCode::NotFound:
      return "not_found";
    case ErrorCode::NotPermitted:
      return "not_permitted";
    case ErrorCode::Io:
      return "io_error";
    case ErrorCode::NoSpace:
      return "no_space";
    case ErrorCode::ReadOnly:
      return "read_only";
    case ErrorCode::ValidationFailed:
      return "validation_failed";
    case ErrorCode::CommandFailed:
      return "command_failed";
    case ErrorCode::Timeout:
      return "timeout";
    case ErrorCode::AssertionFailed:
      return "assertion_failed";
    case ErrorCode::NotConverged:
      return "not_converged";
    case ErrorCode::Busy:
      return "busy";
    case ErrorCode::SignatureFormat:
      return "sig_format";
    case ErrorCode::SignatureInvalid:
      return "sig_invalid";
    case ErrorCode::UnknownKey:
      return "unknown_key";
    case ErrorCode::WrongHost:
      return "wrong_host";
    case ErrorCode::Rollback:
      return "rollback";
    case ErrorCode::Equivocation:
      return "equivocation";
    case ErrorCode::Expired:
      return "expired";
    case ErrorCode::NotYetValid:
      return "not_yet_valid";
    case ErrorCode::BadTime:
      return "bad_time";
    case ErrorCode::RetiredKey:
      return "retired_key";
    case ErrorCode::RootChainTooLong:
      return "root_chain_too_long";
    case ErrorCode::ProtocolError:
      return "protocol_error";
    case ErrorCode::CsrInvalid:
      return "csr_invalid";
    case ErrorCode::TokenInvalid:
      return "token_invalid";
    case ErrorCode::PeerNotController:
      return "peer_not_controller";
    case ErrorCode::Revoked:
      return "revoked";
    case ErrorCode::TlsFailed:
      return "tls_error";
    case ErrorCode::Internal:
      return "internal";
  }
  return "internal";
}

ErrorCode errorCodeFromReason(std::string_view reason) {
  for (int i = 0; i <= static_cast<int>(ErrorCode::Internal); ++i) {
    const auto code = static_cast<ErrorCode>(i);
    if (reasonCode(code) == reason) return code;
  }
  return ErrorCode::Internal;
}

Error&& Error::withContext(std::string_view context) && {
  message_ = fmt::format("{}: {}", context, message_);
  return std::move(*this);
}

Error&& Error::withWhere(std::string where) && {
  if (where_.empty()) {
    where_ = std::move(where);
  } else {
    where_ = fmt::format("{}{}", where, where_);
  }
  return std::move(*this);
}

std::string Error::describe() const {
  std::string out;
  if (!where_.empty()) out = fmt::format("{}: ", where_);
  out += fmt::format("error: {}", message_);
  if (!cause_.empty()) out += fmt::format(" ({})", cause_);
  out += fmt::format(" [{}]", reasonCode(code_));
  return out;
}

Error errnoError(int err, std::string message, std::string where) {
  ErrorCode code = ErrorCode::Io;
  if (err == ENOSPC || err == EDQUOT) code = ErrorCode::NoSpace;
  if (err == EROFS) code = ErrorCode::ReadOnly;
  if (err == EACCES || err == EPERM) code = ErrorCode::NotPermitted;
  if (err == ENOENT) code = ErrorCode::NotFound;
  if (err == ELOOP) code = ErrorCode::UnsafePath;
  return Error(code, std::move(message), std::move(where), std::strerror(err));
}

void checkFailed(const char* expr, const char* why, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: internal error: check '%s' failed: %s\n", file, line, expr, why);
  std::abort();
}

}  // namespace sc
