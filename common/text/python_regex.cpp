#include "common/text/python_regex.h"

#include <fmt/format.h>

namespace sc {
namespace {

// Rewrites the parts of a pattern whose meaning differs between Python's re
// and ECMAScript, which also treats '\r' as a line end: '.' becomes [^\n]
// (Python's '.' matches '\r'), '$' becomes a lookahead for '\n' or the end
// (Python's '$' does not match before '\r', and without MULTILINE it matches
// only at the end or before a final '\n'), and a ']' first in a class is
// literal, as in Python. The multiline '^' stays ECMAScript's, which also
// matches after a lone '\r' (no lookbehind to express Python's).
std::string translatePattern(std::string_view pattern, bool multiline) {
  std::string out;
  bool in_class = false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      out += pattern.substr(i, 2);
      ++i;
    } else if (in_class) {
      out += c;
      if (c == ']') in_class = false;
    } else if (c == '[') {
      out += c;
      in_class = true;
      if (i + 1 < pattern.size() && pattern[i + 1] == '^') out += pattern[++i];
      if (i + 1 < pattern.size() && pattern[i + 1] == ']') {
        out += "\\]";
        ++i;
      }
    } else if (c == '.') {
      out += "[^\\n]";
    } else if (c == '$') {
      // (?![\s\S]) is the end of the text whatever the multiline flag says.
      out += multiline ? "(?=\\n|(?![\\s\\S]))" : "(?=\\n?(?![\\s\\S]))";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

Result<PythonRegex> compilePythonRegex(std::string_view pattern, bool multiline, bool ignorecase) {
  std::string text(pattern);
  auto flags = std::regex::ECMAScript;
  if (ignorecase) flags |= std::regex::icase;
  // Leading inline flags, as in "(?i)^listen".
  while (text.size() >= 4 && text.compare(0, 2, "(?") == 0 && text[3] == ')' &&
         std::string_view("ims").find(text[2]) != std::string_view::npos) {
    if (text[2] == 'i') flags |= std::regex::icase;
    if (text[2] == 'm') multiline = true;
    if (text[2] == 's') {
      return Error(ErrorCode::Schema, fmt::format("'(?s)' is not supported in '{}'", pattern));
    }
    text.erase(0, 4);
  }
  for (std::string_view unsupported : {"(?P<", "(?P=", "(?<=", "(?<!", "\\A", "\\Z", "(?#", "(?i)",
                                       "(?m)", "(?x)", "(?a)", "(?L)", "(?u)"}) {
    if (text.find(unsupported) != std::string::npos) {
      return Error(ErrorCode::Schema,
                   fmt::format("'{}' in '{}' is Python regex syntax the agent does not support",
                               unsupported, pattern));
    }
  }
  if (multiline) flags |= std::regex::multiline;
  try {
    return PythonRegex{std::regex(translatePattern(text, multiline), flags), multiline};
  } catch (const std::regex_error& ex) {
    return Error(ErrorCode::Schema,
                 fmt::format("bad regular expression '{}': {}", pattern, ex.what()));
  }
}

std::string expandPythonTemplate(std::string_view templ, const std::smatch& match) {
  std::string out;
  for (std::size_t i = 0; i < templ.size(); ++i) {
    const char c = templ[i];
    if (c != '\\' || i + 1 == templ.size()) {
      out += c;
      continue;
    }
    const char next = templ[++i];
    if (std::isdigit(static_cast<unsigned char>(next))) {
      std::size_t group = static_cast<std::size_t>(next - '0');
      if (i + 1 < templ.size() && std::isdigit(static_cast<unsigned char>(templ[i + 1])) &&
          group * 10 + static_cast<std::size_t>(templ[i + 1] - '0') < match.size()) {
        group = group * 10 + static_cast<std::size_t>(templ[++i] - '0');
      }
      if (group < match.size()) out += match[group].str();
    } else if (next == 'g' && i + 1 < templ.size() && templ[i + 1] == '<') {
      const auto close = templ.find('>', i);
      const auto name = templ.substr(i + 2, close - i - 2);
      const std::size_t group = static_cast<std::size_t>(std::stoul(std::string(name)));
      if (group < match.size()) out += match[group].str();
      i = close;
    } else if (next == 'n') {
      out += '\n';
    } else if (next == 't') {
      out += '\t';
    } else if (next == 'r') {
      out += '\r';
    } else if (next == '\\') {
      out += '\\';
    } else {
      out += '\\';
      out += next;
    }
  }
  return out;
}

Result<void> checkPythonTemplate(std::string_view templ, const std::regex& re) {
  const std::size_t groups = re.mark_count();
  for (std::size_t i = 0; i + 1 < templ.size(); ++i) {
    if (templ[i] != '\\') continue;
    const char next = templ[i + 1];
    if (next == '\\') {
      ++i;
      continue;
    }
    std::size_t group = 0;
    bool reference = false;
    if (std::isdigit(static_cast<unsigned char>(next))) {
      group = static_cast<std::size_t>(next - '0');
      reference = true;
    } else if (next == 'g' && i + 2 < templ.size() && templ[i + 2] == '<') {
      const auto close = templ.find('>', i);
      const auto name =
          close == std::string_view::npos ? std::string_view{} : templ.substr(i + 3, close - i - 3);
      if (name.empty() || name.find_first_not_of("0123456789") != std::string_view::npos ||
          name.size() > 3) {
        return Error(ErrorCode::Schema,
                     fmt::format("'\\g<{}>': only numbered groups are supported", name));
      }
      group = static_cast<std::size_t>(std::stoul(std::string(name)));
      reference = true;
    }
    if (reference && group > groups) {
      return Error(
          ErrorCode::Schema,
          fmt::format("the replacement refers to group {}, but the pattern has {}", group, groups));
    }
  }
  return ok();
}

}  // namespace sc
