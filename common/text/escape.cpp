#include "common/text/escape.h"

#include <fmt/format.h>

namespace sc::text {
namespace {

std::string escape(std::string_view text, bool keep_lines) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    const bool control = byte < 0x20 || byte == 0x7f;
    if (control && !(keep_lines && (c == '\n' || c == '\t'))) {
      out += fmt::format("\\x{:02x}", byte);
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string escapeControl(std::string_view text) { return escape(text, false); }
std::string escapeControlKeepLines(std::string_view text) { return escape(text, true); }

}  // namespace sc::text
