#include "common/text/host_name.h"

#include "common/text/escape.h"

namespace sc::text {
namespace {

bool isLetterOrDigit(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

Error refuse(std::string_view name, std::string_view rule) {
  return Error(ErrorCode::InvalidArgument,
               fmt::format("host name '{}' {}", escapeControl(name.substr(0, 80)), rule));
}

}  // namespace

Result<void> checkHostName(std::string_view name) {
  if (name.empty()) return refuse(name, "is empty");
  if (name.size() > kMaxHostNameBytes) {
    return refuse(name, fmt::format("is longer than {} bytes", kMaxHostNameBytes));
  }
  if (!isLetterOrDigit(name.front())) return refuse(name, "must start with a letter or digit");
  if (name.back() == '.') return refuse(name, "must not end with '.'");
  char previous = '\0';
  for (const char c : name) {
    if (!isLetterOrDigit(c) && c != '-' && c != '_' && c != '.') {
      return refuse(name, "may hold only letters, digits, '-', '_' and '.'");
    }
    if (c == '.' && previous == '.') return refuse(name, "must not hold '..'");
    previous = c;
  }
  return {};
}

}  // namespace sc::text
